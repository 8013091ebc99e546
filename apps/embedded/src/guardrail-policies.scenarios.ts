// Guardrail policies per virtual key and per team through the whole gateway, in both modes
// (guardrail-policies.spec.ts embedded, guardrail-policies.integration.spec.ts distributed): keys and a
// team made with the admin API, each request guarded by its model's rules with its team's and key's laid
// over them, on the prompt and on the streamed answer; the mock echoes what it received.
import { randomBytes } from 'node:crypto';
import type { CreatedKey } from '@switchyard/contracts';
import { eventually, httpCall, type HttpAnswer } from '@switchyard/testing';
import type { HttpGatewayUnderTest, StartHttpGateway } from './http-front-door.scenarios';

// Team names are unique in the key store, which a distributed run's database may keep from an earlier run.
export const TEAM = `finance-${randomBytes(4).toString('hex')}`;

const POLICIES = `
  keys:
    strict-app: { input: [{ type: pii, entities: [email, card], action: block }] }
    answer-masked:
      input: [{ type: pii, entities: [email, card], action: flag }]
      output: [{ type: pii, entities: [email], action: mask }]
    answer-plain: { input: [{ type: pii, entities: [email, card], action: flag }] }
  teams:
    ${TEAM}: { input: [{ type: pii, name: cards, entities: [card], action: block }] }
`;

export const POLICIES_CONFIG = `
models:
  - { name: mock-echo, provider: mock, capabilities: [chat, streaming] }
  - { name: cached-echo, provider: mock, upstream_model: mock-echo, capabilities: [chat, streaming], cache: {} }
providers:
  mock: { latency_ms: 0 }
guardrails:
  input: [{ type: pii, entities: [email, card], action: mask }]
${POLICIES}`;

const CARD = '4242 4242 4242 4242';

/** A gateway with the policies above, its admin key, and keys made through its admin API by name. */
export interface PolicyGateway {
  gateway: HttpGatewayUnderTest;
  keys: Record<string, CreatedKey>;
  chatAs(key: string, content: string): Promise<HttpAnswer>;
}

/** Starts the gateway with `configYaml` and makes the team TEAM and the keys the scenarios use (`twin` twice: `twin`, `twin-2`). */
export async function startPolicyGateway(start: StartHttpGateway, configYaml = POLICIES_CONFIG): Promise<PolicyGateway> {
  const adminKey = randomBytes(32).toString('hex');
  const gateway = await start(configYaml, { SWITCHYARD_ADMIN_KEY: adminKey });
  const keys: Record<string, CreatedKey> = {};
  const admin = async (route: string, body: object): Promise<HttpAnswer> => {
    const answer = await httpCall(`${gateway.httpUrl}/admin/v1/${route}`, 'POST', adminKey, body);
    expect(answer.status).toBe(201);
    return answer;
  };
  try {
    await admin('teams', { name: TEAM });
    for (const [name, team] of [['strict-app'], ['lenient'], ['ledger', TEAM], ['answer-masked'], ['answer-plain'], ['twin'], ['twin']]) {
      const created = (await admin('keys', { name, ...(team ? { team } : {}) })).body as CreatedKey;
      keys[keys[name] ? `${name}-2` : name] = created;
    }
  } catch (error) {
    // Not left running for the suites after this one.
    await gateway.stop();
    throw error;
  }
  const chatAs = (key: string, content: string) => httpCall(`${gateway.httpUrl}/v1/chat/completions`, 'POST', keys[key].key, { model: 'mock-echo', messages: [{ role: 'user', content }] });
  return { gateway, keys, chatAs };
}

export function describeGuardrailPolicies(mode: string, start: StartHttpGateway): void {
  describe(`guardrail policies per key and team (${mode})`, () => {
    let policies: PolicyGateway;
    let gateway: HttpGatewayUnderTest;
    let keys: Record<string, CreatedKey>;
    const chatAs = (key: string, content: string) => policies.chatAs(key, content);
    /** The contents of a streamed answer's chunks, in order. */
    const streamedAs = async (key: string, content: string, model = 'mock-echo'): Promise<{ pieces: string[]; id: string; cache: string | null }> => {
      const response = await fetch(`${gateway.httpUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys[key].key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, stream: true, temperature: 0, messages: [{ role: 'user', content }] }),
      });
      expect(response.status).toBe(200);
      const events = (await response.text())
        .split('\n\n')
        .filter((event) => event.startsWith('data: ') && event !== 'data: [DONE]')
        .map((event) => JSON.parse(event.slice('data: '.length)) as { id: string; choices: { delta: { content?: string } }[] });
      return { pieces: events.flatMap((event) => event.choices.map((choice) => choice.delta.content ?? '')).filter(Boolean), id: events[0].id, cache: response.headers.get('x-switchyard-cache') };
    };
    const rowOf = (requestId: string) =>
      eventually(async () => (await gateway.query('SELECT key_name, team, status, error_code, guardrail_findings FROM usage_events WHERE request_id = $1', [requestId]))[0], `usage row ${requestId}`);

    beforeAll(async () => {
      policies = await startPolicyGateway(start);
      ({ gateway, keys } = policies);
    });

    afterAll(async () => {
      await gateway?.stop();
    });

    it('blocks a strict key\'s prompt where another key\'s is only masked, and records the block under the key', async () => {
      const prompt = 'I am bob@example.com';
      const masked = await chatAs('lenient', prompt);
      expect([masked.status, masked.body.choices[0].message.content]).toEqual([200, 'I am <EMAIL_1>']);
      expect(await rowOf(masked.body.id)).toEqual({
        key_name: 'lenient',
        team: null,
        status: 'ok',
        error_code: null,
        guardrail_findings: [{ rule: 'pii', entity: 'email', action: 'mask', direction: 'input', count: 1 }],
      });

      const refused = await chatAs('strict-app', prompt);
      expect([refused.status, refused.body.error.code, refused.body.error.message]).toEqual([403, 'guardrail_blocked', 'guardrail rule pii refused the request: it found a value of kind email']);
      expect(refused.text).not.toContain('bob@example.com');
      const row = await eventually(async () => (await gateway.query(`SELECT status, error_code, guardrail_findings FROM usage_events WHERE api_key_id = $1`, [keys['strict-app'].id]))[0], 'the strict key\'s row');
      expect(row).toEqual({ status: 'error', error_code: 'guardrail_blocked', guardrail_findings: [{ rule: 'pii', entity: 'email', action: 'block', direction: 'input', count: 1 }] });
    });

    it('applies a team\'s policy to its keys: a finance key\'s card is refused, its e-mail still masked; another key\'s card is masked', async () => {
      const refused = await chatAs('ledger', `card ${CARD}`);
      expect([refused.status, refused.body.error.message]).toEqual([403, 'guardrail rule cards refused the request: it found a value of kind card']);
      const masked = await chatAs('ledger', 'mail bob@example.com');
      expect(masked.body.choices[0].message.content).toBe('mail <EMAIL_1>');
      expect(await rowOf(masked.body.id)).toMatchObject({ key_name: 'ledger', team: TEAM });
      const other = await chatAs('lenient', `card ${CARD}`);
      expect(other.body.choices[0].message.content).toBe('card <CARD_1>');
    });

    it('masks the answer in a stream for the key with output rules, the address split across chunks, and not for a key without them', async () => {
      // The mock streams the echo in four pieces: "write to ", "jane.doe@", "example.c", "om today".
      const text = 'write to jane.doe@example.com today';
      const masked = await streamedAs('answer-masked', text);
      expect(masked.pieces.join('')).toBe('write to <EMAIL_1> today');
      expect(masked.pieces.some((piece) => piece.includes('jane') || piece.includes('example'))).toBe(false);
      expect(await rowOf(masked.id)).toMatchObject({
        key_name: 'answer-masked',
        guardrail_findings: [
          { rule: 'pii', entity: 'email', action: 'flag', direction: 'input', count: 1 },
          { rule: 'pii', entity: 'email', action: 'mask', direction: 'output', count: 1 },
        ],
      });
      const plain = await streamedAs('answer-plain', text);
      expect(plain.pieces.join('')).toBe(text);
      expect(plain.pieces.length).toBeGreaterThan(1);
    });

    // The cache stores an answer as the output guard left it: a key with no output rules must not fill it
    // with an answer that a key with them is then served unmasked.
    it('never serves a key with output rules an answer cached for a key without them', async () => {
      // The run's own text: the shared cache table of a distributed run's database may keep an earlier run's answer.
      const text = `cached for jane.doe@example.com only, run ${TEAM}`;
      const plain = await streamedAs('answer-plain', text, 'cached-echo');
      expect([plain.pieces.join(''), plain.cache]).toEqual([text, 'miss']);
      expect((await streamedAs('answer-plain', text, 'cached-echo')).cache).toBe('hit');

      const masked = await streamedAs('answer-masked', text, 'cached-echo');
      expect([masked.pieces.join(''), masked.cache]).toEqual([`cached for <EMAIL_1> only, run ${TEAM}`, 'miss']);
      const again = await streamedAs('answer-masked', text, 'cached-echo');
      expect([again.pieces.join(''), again.cache]).toEqual([`cached for <EMAIL_1> only, run ${TEAM}`, 'hit']);
    });
  });
}
