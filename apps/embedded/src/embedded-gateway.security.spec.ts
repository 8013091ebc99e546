import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { parseGatewayConfig } from '@switchyard/config';
import { TOPICS } from '@switchyard/contracts';
import { createLogger } from '@switchyard/telemetry';
import { startEmbeddedGateway } from './embedded-gateway';

jest.setTimeout(120_000);

const config = parseGatewayConfig('models:\n  - { name: mock-echo, provider: mock, capabilities: [chat] }\n');
const logger = createLogger('embedded-key-id-test', 'error');

describe('the embedded gateway', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-embedded-key-id-'))));
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const start = (env: NodeJS.ProcessEnv = {}, sql?: { address: string; password: string }) =>
    startEmbeddedGateway({ config, grpcAddress: '127.0.0.1:0', dataDir, logger, env, sql });
  const keyIdOf = async (env: NodeJS.ProcessEnv = {}) => {
    const gateway = await start(env);
    try {
      // The request event carries the id the key was given.
      return await new Promise<string>((resolve) => {
        void gateway.bus.subscribe({ topic: TOPICS.requests, group: 'key-id-test', handleBatch: async (messages) => resolve((messages[0].value as { api_key_id: string }).api_key_id) });
        void gateway.core.chat({ model: 'mock-echo', messages: [{ role: 'user', content: 'hi' }] }, { credential: 'sk-restart', deadline: Date.now() + 2000 }).catch(() => undefined);
      });
    } finally {
      await gateway.stop();
    }
  };

  it('keeps a key id across a restart, from a secret it keeps in the data folder readable by its owner only', async () => {
    const first = await keyIdOf();
    const second = await keyIdOf();
    expect(second).toBe(first);
    expect(first).toMatch(/^key_[0-9a-f]{16}$/);
    expect(fs.statSync(path.join(dataDir, 'key-id-secret')).mode & 0o777).toBe(0o600);
    expect(await keyIdOf({ GATEWAY_KEY_ID_SECRET: 'a-secret-from-the-environment-0123456789' })).not.toBe(first);
  });

  it('serves no SQL port unless asked, and a read-only one to the password when asked', async () => {
    const closed = await start();
    try {
      expect(closed.db.sqlAddress).toBeUndefined();
    } finally {
      await closed.stop();
    }
    const gateway = await start({}, { address: '127.0.0.1:0', password: 'embedded-sql-password' });
    const [host, port] = gateway.db.sqlAddress!.split(':');
    const client = new Client({ host, port: Number(port), user: 'reader', database: 'postgres', password: 'embedded-sql-password' });
    try {
      await client.connect();
      expect((await client.query('SELECT count(*)::int AS n FROM usage_events')).rows).toEqual([{ n: 0 }]);
      await expect(client.query('DELETE FROM usage_events')).rejects.toMatchObject({ code: '25006' });
    } finally {
      await client.end();
      await gateway.stop();
    }
  });
});
