import { Worker } from 'node:worker_threads';
import { CARD_CANDIDATE, EMAIL_ADDRESS, luhnValid, maskEmail, maskPaymentCard, rulesByName } from './rules';

/**
 * Runs a rule's pattern over `text` on a thread of its own and says whether it finished within `limitMs`.
 * A pattern that backtracks without bound cannot be interrupted on the test's own thread.
 */
function finishesOnThread(pattern: RegExp, text: string, limitMs: number): Promise<boolean> {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     parentPort.postMessage(workerData.text.replace(new RegExp(workerData.source, workerData.flags), '').length);`,
    { eval: true, workerData: { source: pattern.source, flags: pattern.flags, text } },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => void worker.terminate().then(() => resolve(false)), limitMs);
    worker.once('message', () => {
      clearTimeout(timer);
      void worker.terminate().then(() => resolve(true));
    });
    worker.once('error', reject);
  });
}

describe('mask_email', () => {
  it.each([
    ['write to jane.doe@example.com today', 'write to [EMAIL] today', 1],
    ['a@b.co and c.d+tag@sub.example.org', '[EMAIL] and [EMAIL]', 2],
    ['no address @ here', 'no address @ here', 0],
    ['x.y@z.io,q@w.de; mail:me@host.com', '[EMAIL],[EMAIL]; mail:[EMAIL]', 3],
    ['..a@b.cc and a@b.c.dd@e.ff', '[EMAIL] and [EMAIL]@e.ff', 2],
  ])('%s', (input, expected, count) => {
    expect(maskEmail.apply(input)).toEqual({ text: expected, count });
  });

  // A megabyte of letters (or digits, or dotted words) with no address in it: linear work is a few
  // milliseconds; the pattern before the fix backtracked for minutes and held the event loop meanwhile.
  it.each([
    ['letters', 'a'.repeat(1_000_000)],
    ['digits', '1'.repeat(1_000_000)],
    ['a domain that never ends', 'x@' + 'a.'.repeat(500_000)],
    ['dotted words before an @', 'a.'.repeat(500_000) + '@'],
  ])('does not hang on a megabyte of %s', async (_, text) => {
    expect(await finishesOnThread(EMAIL_ADDRESS, text, 10_000)).toBe(true);
  }, 15_000);
});

describe('mask_payment_card', () => {
  it.each([
    ['card 4242 4242 4242 4242 ok', 'card [CARD ****4242] ok', 1],
    ['amex 3782-822463-10005', 'amex [CARD ****0005]', 1],
    ['plain 4111111111111111', 'plain [CARD ****1111]', 1],
    // Fails the Luhn check: an order number, not a card.
    ['order 1234 5678 9012 3456', 'order 1234 5678 9012 3456', 0],
    ['short 4242 4242', 'short 4242 4242', 0],
  ])('%s', (input, expected, count) => {
    expect(maskPaymentCard.apply(input)).toEqual({ text: expected, count });
  });

  it('does not hang on a megabyte of digits and separators', async () => {
    expect(await finishesOnThread(CARD_CANDIDATE, '1 2-'.repeat(250_000), 10_000)).toBe(true);
  }, 15_000);

  it('checks the Luhn sum', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
  });
});

describe('rulesByName', () => {
  it('refuses an unknown rule with the names it knows', () => {
    expect(() => rulesByName(['mask_email', 'mask_ssn'])).toThrow('unknown guardrail rule mask_ssn (known: mask_email, mask_payment_card)');
  });
});
