// `npx tsx bench/src/guardrail-cost.ts [--prompt-bytes=2048] [--rounds=5]`: the guardrail stage's CPU
// for one request on its own, in this process: input rules over a chat request, then the output guard
// over its answer streamed in pieces of 16 characters, for the default rules and for the issue's
// example policy and a deny rule with patterns, in rounds that alternate with the no-rule baseline. profile.ts measures the same
// cost through the whole gateway, where it is within that figure's noise.
import type { RequestEvent } from '@switchyard/contracts';
import { applyInputRules } from '@switchyard/guardrail';
import { compileRules, createOutputGuard, legacyRules, NO_POLICY, type Policy } from '@switchyard/guardrail-rules';
import { guardrailsSchema } from '@switchyard/guardrail-rules';
import { padPromptsTo, promptWithDelay } from './mock-protocol';

const argument = (name: string, fallback: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;

padPromptsTo(Number(argument('prompt-bytes', '2048')));
const prompt = promptWithDelay(0);
const request: RequestEvent = {
  request_id: 'bench',
  kind: 'chat',
  stream: true,
  reply_to: 'bench',
  received_at: 0,
  deadline_at: Number.MAX_SAFE_INTEGER,
  api_key_id: 'bench',
  chat: { model: 'bench', messages: [{ role: 'user', content: prompt }] },
};

const example = guardrailsSchema.parse({
  input: [
    { type: 'pii', entities: ['email', 'phone', 'card', 'iban', 'ssn', 'ip'], action: 'mask' },
    { type: 'secrets', action: 'block' },
    { type: 'injection', threshold: 0.8, action: 'block' },
  ],
  output: [{ type: 'pii', entities: ['email', 'phone'], action: 'mask' }],
});
const deny = guardrailsSchema.parse({ input: [{ type: 'deny', words: ['project falcon', 'codename'], patterns: ['\\bTICKET-\\d{3,6}\\b', 'inter(nal|im) memo', '[A-Z]{2}\\d{6}'], action: 'mask' }] });
const POLICIES: [string, Policy][] = [
  ['none (baseline)', NO_POLICY],
  ['default (guardrail.rules: mask_email, mask_payment_card)', { input: compileRules(legacyRules(['mask_email', 'mask_payment_card'])), output: [], reversible: false }],
  ['the issue\'s example (input pii+secrets+injection, output pii)', { input: compileRules(example.input!), output: compileRules(example.output!), reversible: false }],
  ['a deny rule of 2 words and 3 patterns (linear-time engine)', { input: compileRules(deny.input!), output: [], reversible: false }],
];

function once(policy: Policy): void {
  applyInputRules(request, policy);
  const guard = createOutputGuard(policy);
  if (!guard) return;
  for (let at = 0; at < prompt.length; at += 16) guard.push({ index: 0, content: prompt.slice(at, at + 16) });
  guard.end();
}

function microsecondsPerRequest(policy: Policy, iterations: number): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) once(policy);
  return Number(process.hrtime.bigint() - started) / 1000 / iterations;
}

const rounds = Number(argument('rounds', '5'));
const iterations = 2000;
for (const [, policy] of POLICIES) microsecondsPerRequest(policy, iterations);
const results = new Map<string, number[]>(POLICIES.map(([name]) => [name, []]));
for (let round = 0; round < rounds; round++) for (const [name, policy] of POLICIES) results.get(name)!.push(microsecondsPerRequest(policy, iterations));
console.log(`prompt ${prompt.length} characters; ${rounds} rounds of ${iterations} requests, alternating`);
const baseline = Math.min(...results.get(POLICIES[0][0])!);
for (const [name, samples] of results) {
  const sorted = [...samples].sort((a, b) => a - b);
  console.log(`${name}: best ${sorted[0].toFixed(1)} µs, median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} µs a request; added over the baseline (best) ${(sorted[0] - baseline).toFixed(1)} µs`);
}
