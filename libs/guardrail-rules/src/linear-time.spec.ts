import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/** Whether the detector finishes over the text within limitMs, on a thread of its own. */
function finishesOnThread(name: string, text: string, limitMs: number): Promise<boolean> {
  const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(path.join(__dirname, 'detect-on-thread.fixtures.ts'))});`, { eval: true, workerData: { name, text } });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => void worker.terminate().then(() => resolve(false)), limitMs);
    worker.once('message', () => {
      clearTimeout(timer);
      void worker.terminate().then(() => resolve(true));
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

const MB = 1_000_000;
const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

// A megabyte with no match in it, shaped like the start of one, for each detector: linear work is
// milliseconds to a second; a pattern that retries a run from each of its characters takes minutes
// (the e-mail pattern before its lookbehind held the event loop for 3.7 s on 60 KB of letters, and
// libphonenumber's own text search took 42 s on the separators below).
const CASES: [string, string, string][] = [
  ['email', 'letters', fill('a')],
  ['email', 'a domain that never ends', 'x@' + fill('a.')],
  ['email', 'dotted words before an @', fill('a.') + '@'],
  ['card', 'digits and separators', fill('1 2-')],
  ['card', 'digits', fill('4')],
  ['iban', 'letters and digits', fill('DE89 ')],
  ['ssn', 'dashed digits', fill('123-45-')],
  ['ip', 'dotted digits', fill('1.2.')],
  ['ip', 'hex and colons', fill('a:b:')],
  ['phone', 'digits and separators', fill('1 2-')],
  ['phone', 'plus signs and digits', fill('+1 415 ')],
  ['phone', 'valid numbers (parsed up to MAX_PHONE_CANDIDATES)', fill('(415) 555-2671 ')],
  ['openai_key', 'key prefixes', fill('sk-')],
  ['anthropic_key', 'key prefixes', fill('sk-ant-api03-')],
  ['google_key', 'key prefixes', fill('AIza')],
  ['aws_access_key', 'capitals', fill('AKIA')],
  ['aws_secret_key', 'base64 after a key id', 'AKIAIOSFODNN7EXAMPLE ' + fill('aB3/')],
  ['aws_secret_key', 'names', fill('aws_secret_access_key=')],
  ['github_token', 'prefixes', fill('ghp_')],
  ['slack_token', 'prefixes', fill('xoxb-')],
  ['stripe_key', 'prefixes', fill('sk_live_')],
  ['private_key', 'headers without an end', fill('-----BEGIN RSA PRIVATE KEY-----')],
  ['jwt', 'header-like runs', fill('eyJhbGciOi.')],
  ['connection_password', 'schemes', fill('postgres://u:')],
  ['denied', 'almost the phrase', fill('project falco ')],
  ['denied_pattern', 'letters that almost match users\' patterns', fill('a')],
  ['denied_pattern', 'words and @ that almost match', fill('ab@cd.')],
  ['injection', 'almost an override', fill('ignore all previous ')],
  ['injection', 'base64', fill('aWdub3Jl')],
];

describe('every detector is linear-time', () => {
  it.each(CASES)('%s does not hang on a megabyte of %s', async (name, _, text) => {
    expect(await finishesOnThread(name, text, 10_000)).toBe(true);
  }, 15_000);
});
