import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import type { UsageEvent } from '@switchyard/contracts';
import { ensureAnalyticsSchema } from './schema';
import { createPgliteClient, type SqlClient } from './sql-client';
import { insertUsageEvents } from './usage-events';

jest.setTimeout(60_000);

const PASSWORD = 'sql-port-test-password';

const usageEvent = (request_id: string): UsageEvent => ({
  request_id,
  ts: '2026-11-25T10:00:00.000Z',
  api_key_id: 'key_1',
  kind: 'chat',
  stream: false,
  model: 'mock-echo',
  provider: 'mock',
  upstream_model: 'echo',
  prompt_tokens: 10,
  completion_tokens: 5,
  cached_prompt_tokens: 0,
  tokens_estimated: false,
  cost_usd: 0,
  latency_ms: 1,
  provider_latency_ms: 1,
  time_to_first_chunk_ms: null,
  status: 'ok',
  error_code: null,
  finish_reason: 'stop',
  metadata: {},
});

describe('the SQL port of PGlite', () => {
  let dir: string;
  let db: SqlClient;
  let host: string;
  let port: number;
  const clients: Client[] = [];

  const connect = async (password?: string) => {
    const client = new Client({ host, port, user: 'anyone', database: 'postgres', password });
    clients.push(client);
    await client.connect();
    return client;
  };
  const usageRows = async () => (await db.query<{ request_id: string }>('SELECT request_id FROM usage_events ORDER BY request_id')).rows.map((row) => row.request_id);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-sql-port-'));
    db = await createPgliteClient(dir, { sql: { address: '127.0.0.1:0', password: PASSWORD } });
    await ensureAnalyticsSchema(db);
    await insertUsageEvents(db, [usageEvent('req-1')]);
    [host, port] = [db.sqlAddress!.split(':')[0], Number(db.sqlAddress!.split(':')[1])];
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.end().catch(() => undefined)));
  });

  afterAll(async () => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a client without the password, or with a wrong one', async () => {
    await expect(connect()).rejects.toThrow('client password must be a string');
    await expect(connect('wrong password')).rejects.toMatchObject({ code: '28P01', message: 'password authentication failed' });
  });

  it('refuses a client that sends a query instead of authenticating', async () => {
    const socket = net.connect(port, host);
    const startup = Buffer.from('\0\0\0\0\0\x03\0\0user\0anyone\0\0');
    startup.writeInt32BE(startup.length);
    const query = Buffer.from('Q\0\0\0\0DELETE FROM usage_events\0');
    query.writeInt32BE(query.length - 1, 1);
    socket.write(Buffer.concat([startup, query]));
    let answer = '';
    socket.on('data', (data) => (answer += data.toString('latin1')));
    await new Promise((resolve) => socket.once('close', resolve));
    expect(answer).toContain('SCRAM-SHA-256');
    expect(answer).toContain('expected a password message');
  });

  it('reads usage_events, with and without parameters, as the reader role', async () => {
    const client = await connect(PASSWORD);
    expect((await client.query('SELECT request_id, model FROM usage_events')).rows).toEqual([{ request_id: 'req-1', model: 'mock-echo' }]);
    expect((await client.query('SELECT count(*)::int AS n FROM usage_events WHERE request_id = $1', ['req-1'])).rows).toEqual([{ n: 1 }]);
    expect((await client.query('SELECT current_user AS role')).rows).toEqual([{ role: 'switchyard_reader' }]);
  });

  it.each([
    ["INSERT INTO usage_events (request_id) VALUES ('req-2')", '25006'],
    ["INSERT INTO usage_events SELECT * FROM usage_events RETURNING request_id", '25006'],
    ["UPDATE usage_events SET model = 'changed'", '25006'],
    ["UPDATE usage_events SET model = 'changed' RETURNING request_id", '25006'],
    ['DELETE FROM usage_events', '25006'],
    ['DELETE FROM usage_events RETURNING request_id', '25006'],
    ['WITH gone AS (DELETE FROM usage_events RETURNING 1) SELECT count(*) FROM gone', '25006'],
    ['EXPLAIN ANALYZE DELETE FROM usage_events', '25006'],
    ['DROP TABLE usage_events', '25006'],
    ['TRUNCATE usage_events', '25006'],
    ['CREATE TABLE scratch (id int)', '25006'],
    ['COPY usage_events FROM STDIN', '25006'],
    ['COMMIT; DELETE FROM usage_events', '42601'],
    ['SELECT 1; DELETE FROM usage_events', '42601'],
  ])('refuses %s, and the table keeps its rows', async (sql, code) => {
    const client = await connect(PASSWORD);
    await expect(client.query(sql)).rejects.toMatchObject({ code });
    expect(await usageRows()).toEqual(['req-1']);
    expect((await client.query('SELECT 1 AS still')).rows).toEqual([{ still: 1 }]);
  });

  it.each([
    ['SET default_transaction_read_only = off', '25006'],
    ['SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE', '25006'],
    ['RESET ROLE', '25006'],
    ['SET ROLE postgres', '25006'],
    ['RESET SESSION AUTHORIZATION', '25006'],
    ['SET SESSION AUTHORIZATION postgres', '25006'],
    ['RESET ALL', '25006'],
    ['DISCARD ALL', '25006'],
    ['BEGIN READ WRITE', '25006'],
    ['ROLLBACK', '25006'],
    ["SELECT set_config('session_authorization', 'postgres', false)", '42501'],
    ["SELECT set_config('default_transaction_read_only', 'off', false)", '42501'],
    ["SELECT set_config('role', 'postgres', false)", '42501'],
    ["UPDATE pg_settings SET setting = 'off' WHERE name = 'default_transaction_read_only'", '25006'],
  ])('refuses %s, and a DELETE after it is still refused', async (escape, code) => {
    const client = await connect(PASSWORD);
    await expect(client.query(escape)).rejects.toMatchObject({ code });
    await expect(client.query('DELETE FROM usage_events RETURNING request_id')).rejects.toMatchObject({ code: '25006' });
    expect((await client.query('SELECT current_user AS role')).rows).toEqual([{ role: 'switchyard_reader' }]);
    expect(await usageRows()).toEqual(['req-1']);
  });

  it('leaves the gateway its own session: after a client has read, the gateway writes as the superuser again', async () => {
    const client = await connect(PASSWORD);
    expect((await client.query('SELECT count(*)::int AS n FROM usage_events')).rows).toEqual([{ n: 1 }]);
    await insertUsageEvents(db, [usageEvent('req-gateway')]);
    expect((await db.query('SELECT current_user AS role, current_setting($1) AS read_only', ['transaction_read_only'])).rows).toEqual([{ role: 'postgres', read_only: 'off' }]);
    expect((await client.query('SELECT request_id FROM usage_events ORDER BY request_id')).rows).toEqual([{ request_id: 'req-1' }, { request_id: 'req-gateway' }]);
    await db.query('DELETE FROM usage_events WHERE request_id = $1', ['req-gateway']);
  });

  it('refuses named prepared statements, which would outlive the query in the shared session', async () => {
    const client = await connect(PASSWORD);
    await expect(client.query({ name: 'kept', text: 'SELECT 1' })).rejects.toMatchObject({ code: '0A000' });
    expect((await client.query('SELECT 2 AS next')).rows).toEqual([{ next: 2 }]);
  });
});

describe('PGlite without a SQL port', () => {
  it('has no SQL address', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-no-sql-port-'));
    const db = await createPgliteClient(dir);
    try {
      expect(db.sqlAddress).toBeUndefined();
    } finally {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to serve one without a password', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-no-sql-password-'));
    try {
      await expect(createPgliteClient(dir, { sql: { address: '127.0.0.1:0', password: '' } })).rejects.toThrow('the SQL port needs a password');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
