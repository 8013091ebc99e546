// Guardrail policies per virtual key and per team through the whole embedded gateway: keys and a team
// made with the admin API, each request guarded by its model's rules with its team's and key's laid over
// them, on the prompt and on the streamed answer; the mock echoes what it received.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseGatewayConfig } from '@switchyard/config';
import type { CreatedKey } from '@switchyard/contracts';
import { createLogger } from '@switchyard/telemetry';
import { eventually, httpCall, type HttpAnswer } from '@switchyard/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway';

jest.setTimeout(60_000);

const POLICIES = `
  keys:
    strict-app: { input: [{ type: pii, entities: [email, card], action: block }] }
    answer-masked:
      input: [{ type: pii, entities: [email, card], action: flag }]
      output: [{ type: pii, entities: [email], action: mask }]
    answer-plain: { input: [{ type: pii, entities: [email, card], action: flag }] }
  teams:
    finance: { input: [{ type: pii, name: cards, entities: [card], action: block }] }
`;

const CONFIG = `
models:
  - { name: mock-echo, provider: mock, capabilities: [chat, streaming] }
  - { name: cached-echo, provider: mock, upstream_model: mock-echo, capabilities: [chat, streaming], cache: {} }
providers:
  mock: { latency_ms: 0 }
guardrails:
  input: [{ type: pii, entities: [email, card], action: mask }]
${POLICIES}`;

const CARD = '4242 4242 4242 4242';

describe('guardrail policies per key and team, embedded', () => {
  let gateway: EmbeddedGateway;
  let dataDir: string;
  const adminKey = randomBytes(32).toString('hex');
  const keys: Record<string, CreatedKey> = {};

  const admin = async (route: string, body: object): Promise<HttpAnswer> => {
    const answer = await httpCall(`${gateway.httpUrl}/admin/v1/${route}`, 'POST', adminKey, body);
    expect(answer.status).toBe(201);
    return answer;
  };
  const chatAs = (key: string, content: string, extra: Record<string, unknown> = {}) =>
    httpCall(`${gateway.httpUrl}/v1/chat/completions`, 'POST', keys[key].key, { model: 'mock-echo', messages: [{ role: 'user', content }], ...extra });
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
    eventually(async () => (await gateway.db.query('SELECT key_name, team, status, error_code, guardrail_findings FROM usage_events WHERE request_id = $1', [requestId])).rows[0], `usage row ${requestId}`);

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-guardrail-policies-'));
    gateway = await startEmbeddedGateway({
      config: parseGatewayConfig(CONFIG),
      grpcAddress: '127.0.0.1:0',
      httpAddress: '127.0.0.1:0',
      dataDir,
      logger: createLogger('guardrail-policies-test', 'error'),
      env: { SWITCHYARD_ADMIN_KEY: adminKey },
    });
    await admin('teams', { name: 'finance' });
    for (const [name, team] of [['strict-app'], ['lenient'], ['ledger', 'finance'], ['answer-masked'], ['answer-plain'], ['twin'], ['twin']]) {
      const created = (await admin('keys', { name, ...(team ? { team } : {}) })).body as CreatedKey;
      keys[keys[name] ? `${name}-2` : name] = created;
    }
  });

  afterAll(async () => {
    await gateway?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
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
    const row = await eventually(async () => (await gateway.db.query(`SELECT status, error_code, guardrail_findings FROM usage_events WHERE key_name = 'strict-app'`)).rows[0], 'the strict key\'s row');
    expect(row).toEqual({ status: 'error', error_code: 'guardrail_blocked', guardrail_findings: [{ rule: 'pii', entity: 'email', action: 'block', direction: 'input', count: 1 }] });
  });

  it('applies a team\'s policy to its keys: a finance key\'s card is refused, its e-mail still masked; another key\'s card is masked', async () => {
    const refused = await chatAs('ledger', `card ${CARD}`);
    expect([refused.status, refused.body.error.message]).toEqual([403, 'guardrail rule cards refused the request: it found a value of kind card']);
    const masked = await chatAs('ledger', 'mail bob@example.com');
    expect(masked.body.choices[0].message.content).toBe('mail <EMAIL_1>');
    expect(await rowOf(masked.body.id)).toMatchObject({ key_name: 'ledger', team: 'finance' });
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
    const text = 'cached for jane.doe@example.com only';
    const plain = await streamedAs('answer-plain', text, 'cached-echo');
    expect([plain.pieces.join(''), plain.cache]).toEqual([text, 'miss']);
    expect((await streamedAs('answer-plain', text, 'cached-echo')).cache).toBe('hit');

    const masked = await streamedAs('answer-masked', text, 'cached-echo');
    expect([masked.pieces.join(''), masked.cache]).toEqual(['cached for <EMAIL_1> only', 'miss']);
    const again = await streamedAs('answer-masked', text, 'cached-echo');
    expect([again.pieces.join(''), again.cache]).toEqual(['cached for <EMAIL_1> only', 'hit']);
  });

  it('applies a policy given by key id in a changed configuration to that key only, not to another of its name', async () => {
    const byId = CONFIG.replace('  keys:\n', `  keys:\n    ${keys.twin.id}: { input: [{ type: pii, entities: [email], action: block }] }\n`);
    expect(gateway.config.apply(byId, 'test')).toMatchObject({ outcome: 'applied' });
    const refused = await chatAs('twin', 'I am bob@example.com');
    expect([refused.status, refused.body.error.code]).toEqual([403, 'guardrail_blocked']);
    const masked = await chatAs('twin-2', 'I am bob@example.com');
    expect([masked.status, masked.body.choices[0].message.content]).toEqual([200, 'I am <EMAIL_1>']);
  });
});
