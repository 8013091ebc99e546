import { Findings, guardText, Placeholders, policiesOf, type CompiledRule, type PolicyCaller } from './policy';
import { gatewayGuardrailsSchema, guardrailsSchema } from './schema';

const rulesOf = (rules: CompiledRule[]) => rules.map((rule) => `${rule.name}:${rule.action}`);

// Global: mask e-mail both ways. Model strict: block secrets on input. Team finance: its pii rule blocks
// e-mail and cards (in place of the global one) and masks phones in answers. Key batch-app: adds a deny
// rule; by its id, another key gets a stricter pii rule of its own.
const config = {
  guardrail: { rules: ['mask_email'] },
  guardrails: gatewayGuardrailsSchema.parse({
    input: [{ type: 'pii', entities: ['email'], action: 'mask' }],
    output: [{ type: 'pii', entities: ['email'], action: 'mask' }],
    teams: {
      finance: {
        input: [{ type: 'pii', entities: ['email', 'card'], action: 'block' }],
        output: [{ type: 'pii', name: 'phones', entities: ['phone'], action: 'mask' }],
      },
    },
    keys: {
      'batch-app': { input: [{ type: 'deny', words: ['project falcon'], action: 'block' }], reversible: true },
      vk_00000000000000aa: { input: [{ type: 'secrets', action: 'flag' }] },
    },
  }),
  models: [{ name: 'strict', guardrails: guardrailsSchema.parse({ input: [{ type: 'secrets', action: 'block' }] }) }, { name: 'plain' }],
};

const anonymous: PolicyCaller = { api_key_id: 'anonymous' };
const financeKey: PolicyCaller = { api_key_id: 'vk_00000000000000f1', key_name: 'ledger', team: 'finance' };
const batchApp: PolicyCaller = { api_key_id: 'vk_00000000000000b1', key_name: 'batch-app' };
const batchAppInFinance: PolicyCaller = { ...batchApp, team: 'finance' };

describe('policy selection: the model\'s policy, then the team\'s and the key\'s rule by rule over it', () => {
  const policyOf = policiesOf(config);

  it('gives a caller with no team or key entry the model\'s policy, else the global one', () => {
    expect(rulesOf(policyOf('plain', anonymous).input)).toEqual(['pii:mask']);
    expect(rulesOf(policyOf('strict', anonymous).input)).toEqual(['secrets:block']);
    expect(rulesOf(policyOf('plain', { api_key_id: 'vk_00000000000000cc', key_name: 'other', team: 'search' }).input)).toEqual(['pii:mask']);
  });

  it('lets a team\'s rule replace the rule of its name and adds its others, in both directions', () => {
    const policy = policyOf('plain', financeKey);
    expect(rulesOf(policy.input)).toEqual(['pii:block']);
    expect(rulesOf(policy.output)).toEqual(['pii:mask', 'phones:mask']);
    expect(policy.reversible).toBe(false);
  });

  it('adds the team\'s and then the key\'s rules to a model\'s own', () => {
    expect(rulesOf(policyOf('strict', batchAppInFinance).input)).toEqual(['secrets:block', 'pii:block', 'deny:block']);
    expect(rulesOf(policyOf('plain', batchApp).input)).toEqual(['pii:mask', 'deny:block']);
  });

  it('takes a key\'s reversible over the model\'s, and leaves a direction the key does not set as it was', () => {
    const policy = policyOf('plain', batchApp);
    expect(policy.reversible).toBe(true);
    expect(rulesOf(policy.output)).toEqual(['pii:mask']);
  });

  it('finds a key by its id before its name', () => {
    expect(rulesOf(policyOf('plain', { api_key_id: 'vk_00000000000000aa', key_name: 'batch-app' }).input)).toEqual(['pii:mask', 'secrets:flag']);
  });

  it('names the layers that changed the output rules, and none when only input changed', () => {
    expect(policyOf('plain', anonymous).outputLayers).toBeUndefined();
    expect(policyOf('plain', batchApp).outputLayers).toBeUndefined();
    expect(policyOf('plain', batchAppInFinance).outputLayers).toBe('team:finance');
  });

  it('compiles once: the same caller gets the same policy object, and callers without entries share the model\'s', () => {
    expect(policyOf('plain', batchAppInFinance)).toBe(policyOf('plain', { ...batchAppInFinance }));
    expect(policyOf('plain', anonymous)).toBe(policyOf('plain', { api_key_id: 'key_0123456789abcdef' }));
    expect(policyOf('strict', batchApp)).not.toBe(policyOf('plain', batchApp));
  });

  it('blocks for one key what it masks for another', () => {
    const text = 'write to bob@example.com';
    expect(guardText(text, policyOf('plain', batchApp).input, new Placeholders(), new Findings(), 'input')).toBe('write to <EMAIL_1>');
    expect(() => guardText(text, policyOf('plain', financeKey).input, new Placeholders(), new Findings(), 'input')).toThrow('guardrail rule pii refused the request: it found a value of kind email');
  });
});

describe('configuration of key and team policies', () => {
  it.each([
    [{ keys: { app: { inputs: [] } } }, 'keys.app'],
    [{ teams: { finance: { input: [{ type: 'pii', action: 'erase' }] } } }, 'teams.finance.input.0.action'],
    [{ keys: { app: { output: [{ type: 'prompt_size', max_tokens: 10, action: 'block' }] } } }, 'keys.app.output'],
    [{ keys: { app: { input: [{ type: 'pii', action: 'mask' }, { type: 'pii', action: 'block' }] } } }, 'keys.app.input.1.name'],
    [{ keys: { 'batch app': {} } }, 'keys.batch app'],
    [{ teams: { ['t'.repeat(65)]: {} } }, `teams.${'t'.repeat(65)}`],
    [{ team: {} }, ''],
  ])('refuses %j at %s', (guardrails, at) => {
    const result = gatewayGuardrailsSchema.safeParse(guardrails);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path.join('.')).toBe(at);
  });

  it('takes keys and teams at the top level only, not in a model\'s guardrails', () => {
    expect(guardrailsSchema.safeParse({ keys: {} }).error!.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['keys'] });
  });
});
