// Guardrail policies per key and team against the embedded mode (guardrail-policies.scenarios.ts), and a
// policy changed live, by key id, which the embedded gateway applies in process.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseGatewayConfig } from '@switchyard/config';
import { createLogger } from '@switchyard/telemetry';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway';
import { describeGuardrailPolicies, POLICIES_CONFIG, startPolicyGateway, type PolicyGateway } from './guardrail-policies.scenarios';
import { startEmbeddedHttpGateway } from './http-front-door.scenarios';

jest.setTimeout(60_000);

describeGuardrailPolicies('embedded, in-memory bus and PGlite', startEmbeddedHttpGateway);

describe('guardrail policies changed live (embedded)', () => {
  let policies: PolicyGateway;
  let embedded: EmbeddedGateway;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-guardrail-policies-'));

  beforeAll(async () => {
    policies = await startPolicyGateway(async (configYaml, env) => {
      embedded = await startEmbeddedGateway({ config: parseGatewayConfig(configYaml), grpcAddress: '127.0.0.1:0', httpAddress: '127.0.0.1:0', dataDir, logger: createLogger('guardrail-policies-test', 'error'), env });
      return { httpUrl: embedded.httpUrl!, grpcAddress: `127.0.0.1:${embedded.port}`, query: async (sql, params) => (await embedded.db.query(sql, params)).rows as never[], stop: () => embedded.stop() };
    });
  });

  afterAll(async () => {
    await policies?.gateway.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('applies a policy given by key id in a changed configuration to that key only, not to another of its name', async () => {
    const byId = POLICIES_CONFIG.replace('  keys:\n', `  keys:\n    ${policies.keys.twin.id}: { input: [{ type: pii, entities: [email], action: block }] }\n`);
    expect(embedded.config.apply(byId, 'test')).toMatchObject({ outcome: 'applied' });
    const refused = await policies.chatAs('twin', 'I am bob@example.com');
    expect([refused.status, refused.body.error.code]).toEqual([403, 'guardrail_blocked']);
    const masked = await policies.chatAs('twin-2', 'I am bob@example.com');
    expect([masked.status, masked.body.choices[0].message.content]).toEqual([200, 'I am <EMAIL_1>']);
  });
});
