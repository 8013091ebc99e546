import { luhnValid, maskEmail, maskPaymentCard, rulesByName } from './rules';

describe('mask_email', () => {
  it.each([
    ['write to jane.doe@example.com today', 'write to [EMAIL] today', 1],
    ['a@b.co and c.d+tag@sub.example.org', '[EMAIL] and [EMAIL]', 2],
    ['no address @ here', 'no address @ here', 0],
  ])('%s', (input, expected, count) => {
    expect(maskEmail.apply(input)).toEqual({ text: expected, count });
  });
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
