// Guardrail rules. A rule looks at one piece of text and returns it rewritten, with how often it
// matched. The engine applies the configured rules, in order, to every piece of the prompt.
import type { GuardrailFinding } from '@switchyard/contracts';

export interface TextRule {
  name: string;
  action: GuardrailFinding['action'];
  apply(text: string): { text: string; count: number };
}

// Deliberately conservative: local@domain.tld, the shapes real mail addresses take. A match starts only
// where a run of address characters starts (the lookbehind), which finds the same addresses: without it
// a long run with no @ in it (60 KB of letters, a pasted base64 blob) was scanned again from each of its
// characters, quadratic in its length, and held the event loop for 3.7 s.
export const EMAIL_ADDRESS = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// 13 to 19 digits, optionally grouped by single spaces or dashes; confirmed with the Luhn checksum so
// that order numbers and timestamps are left alone.
export const CARD_CANDIDATE = /\b\d(?:[ -]?\d){12,18}\b/g;

export const maskEmail: TextRule = {
  name: 'mask_email',
  action: 'mask',
  apply(text) {
    let count = 0;
    const out = text.replace(EMAIL_ADDRESS, () => {
      count++;
      return '[EMAIL]';
    });
    return { text: out, count };
  },
};

export const maskPaymentCard: TextRule = {
  name: 'mask_payment_card',
  action: 'mask',
  apply(text) {
    let count = 0;
    const out = text.replace(CARD_CANDIDATE, (candidate) => {
      const digits = candidate.replace(/[ -]/g, '');
      if (!luhnValid(digits)) return candidate;
      count++;
      return `[CARD ****${digits.slice(-4)}]`;
    });
    return { text: out, count };
  },
};

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export const BUILT_IN_RULES: Record<string, TextRule> = {
  [maskEmail.name]: maskEmail,
  [maskPaymentCard.name]: maskPaymentCard,
};

export function rulesByName(names: string[]): TextRule[] {
  return names.map((name) => {
    const rule = BUILT_IN_RULES[name];
    if (!rule) throw new Error(`unknown guardrail rule ${name} (known: ${Object.keys(BUILT_IN_RULES).join(', ')})`);
    return rule;
  });
}
