// Runs one detector over a text on a thread of its own (loaded with tsx), for detectors.spec.ts: a
// detector that backtracks without bound cannot be interrupted on the test's own thread.
import { parentPort, workerData } from 'node:worker_threads';
import { scoreInjection } from './injection';
import { cardDetector, emailDetector, ibanDetector, ipDetector, phoneDetector, ssnDetector } from './pii';
import { compileRules } from './policy';
import { SECRET_DETECTORS } from './secrets';

const deny = compileRules([{ type: 'deny', words: ['project falcon', 'aaa'], action: 'block' }])[0];
// Each of these backtracks without bound in V8's usual engine: exponentially, and quadratically over a global search.
const denyPatterns = compileRules([{ type: 'deny', patterns: ['(a+)+b', 'a*b', '(a|aa)*c', '\\w+@\\w+\\.z'], action: 'block' }])[0];

const DETECTORS: Record<string, (text: string) => unknown> = {
  email: (text) => emailDetector.find(text),
  card: (text) => cardDetector.find(text),
  iban: (text) => ibanDetector.find(text),
  ssn: (text) => ssnDetector.find(text),
  ip: (text) => ipDetector.find(text),
  phone: (text) => phoneDetector('US').find(text),
  denied: (text) => (deny.kind === 'spans' ? deny.detectors[0].find(text) : []),
  denied_pattern: (text) => (denyPatterns.kind === 'spans' ? denyPatterns.detectors[0].find(text) : []),
  injection: (text) => scoreInjection(text),
  ...Object.fromEntries(Object.entries(SECRET_DETECTORS).map(([name, detector]) => [name, (text: string) => detector.find(text)])),
};

const { name, text } = workerData as { name: string; text: string };
DETECTORS[name](text);
parentPort!.postMessage('done');
