// Several provider-workers under the supervisor, one killed with -9 under steady load: the supervisor
// restarts it, its partitions move to the other within the session timeout, and every caller is answered
// or told within its deadline, each answer with exactly one usage row.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { Client } from 'pg';
import { createGatewayClient } from '@switchyard/client';
import { chat, e2eConfigYaml, eventually, startDistributedGateway, WORKSPACE_ROOT, type RunningDistributedGateway } from '@switchyard/testing';

jest.setTimeout(240_000);

const RATE_PER_SECOND = 20;
const LOAD_MS = 30_000;
const KILL_AFTER_MS = 10_000;
const DEADLINE_MS = 20_000;

interface Call {
  startedAt: number;
  settledAt: number;
  id?: string;
  code?: number;
}

describe('the supervisor and failover of a scaled stage', () => {
  it('refuses an unknown flag or service with exit 2 and says what it understands', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [path.join(WORKSPACE_ROOT, 'tools/start-distributed.mjs'), ...args], { encoding: 'utf8' });
    const unknownFlag = run('--sacle', 'router=2');
    expect(unknownFlag.status).toBe(2);
    expect(unknownFlag.stderr).toContain("start-distributed: Unknown option '--sacle'");
    expect(unknownFlag.stderr).toContain('usage: npm run start:distributed -- [--scale SERVICE=N,...] [--scale-file FILE]');
    const unknownService = run('--scale', 'routr=2');
    expect(unknownService.status).toBe(2);
    expect(unknownService.stderr).toContain('start-distributed: --scale: no service "routr" (the services: analytics, metering, provider-worker, guardrail, router, ingress)');
    const scaleFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-scale-')), 'scale');
    fs.writeFileSync(scaleFile, '# instances\nrouter=2\nprovider-worker=two\n');
    const badFile = run('--scale-file', scaleFile);
    expect(badFile.status).toBe(2);
    expect(badFile.stderr).toContain(`start-distributed: --scale-file ${scaleFile}: "provider-worker=two" is not SERVICE=N, such as router=2`);
  });

  describe('with two provider-workers', () => {
    let gateway: RunningDistributedGateway;
    let db: Client;

    beforeAll(async () => {
      const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-config-')), 'switchyard.yaml');
      fs.writeFileSync(config, e2eConfigYaml('http://127.0.0.1:9/v1'));
      gateway = await startDistributedGateway({ SWITCHYARD_CONFIG: config }, 120_000, ['--scale', 'provider-worker=2']);
      db = new Client({ connectionString: process.env.DATABASE_URL });
      await db.connect();
    });

    afterAll(async () => {
      await db?.end();
      await gateway?.stop();
    });

    it('restarts a provider-worker killed with -9 under load; every caller is answered or told in time, each answer with one row', async () => {
      expect(gateway.output()).toContain('all 6 services ready (7 instances)');
      const [victim, survivor] = gateway.pids('provider-worker');
      expect(survivor).toEqual(expect.any(Number));
      const client = createGatewayClient(gateway.grpcAddress);
      const calls: Promise<Call>[] = [];
      const loadStarted = Date.now();
      let killed = false;
      for (let sent = 0; sent < (RATE_PER_SECOND * LOAD_MS) / 1000; sent++) {
        // Paced by the clock, so a slow answer never slows the load.
        const due = loadStarted + (sent * 1000) / RATE_PER_SECOND;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
        if (!killed && Date.now() - loadStarted >= KILL_AFTER_MS) {
          process.kill(victim, 'SIGKILL');
          killed = true;
        }
        const startedAt = Date.now();
        calls.push(
          chat(client, { model: 'mock-echo', messages: [{ role: 'user', content: `failover ${sent}` }] }, DEADLINE_MS).then(
            (response) => ({ startedAt, settledAt: Date.now(), id: response.id }),
            (error: grpc.ServiceError) => ({ startedAt, settledAt: Date.now(), code: error.code }),
          ),
        );
      }
      const settled = await Promise.all(calls);
      client.close();

      const answered = settled.filter((call) => call.id !== undefined);
      const failed = settled.filter((call) => call.id === undefined);
      const latencies = answered.map((call) => call.settledAt - call.startedAt).sort((a, b) => a - b);
      const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1];
      const slowest = Math.max(...settled.map((call) => call.settledAt - call.startedAt));
      process.stdout.write(
        `failover: ${answered.length} answered, ${failed.length} failed (codes ${[...new Set(failed.map((call) => call.code))].join(', ') || 'none'}); answered p50 ${latencies[Math.floor(latencies.length / 2)]} ms, p99 ${p99} ms, max ${latencies.at(-1)} ms\n`,
      );
      // Told within the deadline: grpc-js ends a call at its deadline, so none may take longer.
      expect(slowest).toBeLessThanOrEqual(DEADLINE_MS + 1000);
      expect(failed.every((call) => typeof call.code === 'number')).toBe(true);
      // The killed instance's partitions moved within the session timeout; the others never stopped.
      expect(p99).toBeLessThan(10_000);

      const output = gateway.output();
      expect(output).toMatch(/\[supervisor\] provider-worker#\d exited \(SIGKILL\); restart 1 in 500 ms/);
      await eventually(async () => (/\[supervisor\] provider-worker#\d ready again after restart 1/.test(gateway.output()) ? true : undefined), 'the restarted provider-worker ready', 60_000);
      expect(gateway.pids('provider-worker')).toHaveLength(2);

      const ids = answered.map((call) => call.id!);
      const rows = await eventually(
        async () => {
          const found = await db.query<{ request_id: string; rows: string; statuses: string[] }>(
            `SELECT request_id, count(*) AS rows, array_agg(status) AS statuses FROM usage_events WHERE request_id = ANY($1) GROUP BY request_id`,
            [ids],
          );
          return found.rows.length === ids.length ? found.rows : undefined;
        },
        'a usage row for every answer',
        60_000,
      );
      expect(rows.filter((row) => row.rows !== '1' || row.statuses[0] !== 'ok')).toEqual([]);
    });
  });
});
