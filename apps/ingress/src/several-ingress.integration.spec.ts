// Two ingress instances of the distributed gateway (issue 13, item 3): each reply reaches the instance
// whose caller waits, and an instance killed with -9 loses only its own callers, who see a connection
// error, while the other keeps serving and the supervisor brings the killed one back on its ports.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Client } from 'pg';
import { createGatewayClient, type AiGatewayClient } from '@switchyard/client';
import { chat, eventually, startDistributedGateway, type RunningDistributedGateway } from '@switchyard/testing';

jest.setTimeout(900_000);

// mock-slow answers after 3 s, so its calls are still in flight when an instance is killed.
const CONFIG = `
models:
  - { name: mock-echo, provider: mock, capabilities: [chat, streaming] }
  - { name: mock-slow, provider: mock-slow, upstream_model: mock-echo, capabilities: [chat, streaming] }
providers:
  mock: { latency_ms: 0 }
  mock-slow: { kind: mock, latency_ms: 3000 }
`;

// Generous, for a loaded machine: no call here should come near it.
const DEADLINE_MS = 120_000;

interface Answer {
  id: string;
  content: string;
}

type Outcome = { prompt: string; answer: Answer } | { prompt: string; error: grpc.ServiceError };

interface Row {
  request_id: string;
  status: string;
  caller_outcome: boolean;
}

describe('several ingress instances, distributed gateway', () => {
  let gateway: RunningDistributedGateway;
  let clients: AiGatewayClient[];
  let db: Client;
  // Not a run of digits: the guardrail masks one that passes the payment-card checksum, as a 13-digit time can.
  const run = `several-ingress-${Date.now().toString(36)}`;

  beforeAll(async () => {
    const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-several-ingress-')), 'switchyard.yaml');
    fs.writeFileSync(config, CONFIG);
    gateway = await startDistributedGateway({ SWITCHYARD_CONFIG: config }, 120_000, ['--scale', 'ingress=2']);
    expect(gateway.grpcAddresses).toHaveLength(2);
    clients = gateway.grpcAddresses.map((address) => createGatewayClient(address));
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    for (const client of clients ?? []) client.close();
    await db?.end();
    await gateway?.stop();
  });

  /** Chat, or ChatStream with its deltas joined: the answer's id and content. */
  async function ask(client: AiGatewayClient, model: string, prompt: string, streamed: boolean, metadata: Record<string, string>): Promise<Answer> {
    const request = { model, messages: [{ role: 'user', content: prompt }], metadata };
    if (!streamed) {
      const response = await chat(client, request, DEADLINE_MS);
      return { id: response.id, content: response.choices[0].message!.content };
    }
    return new Promise((resolve, reject) => {
      let id = '';
      let content = '';
      const call = client.ChatStream(request, { deadline: Date.now() + DEADLINE_MS });
      call.on('data', (chunk: { id: string; delta?: { content?: string } }) => {
        id = chunk.id;
        content += chunk.delta?.content ?? '';
      });
      call.on('error', reject);
      call.on('end', () => resolve({ id, content }));
    });
  }

  function outcome(client: AiGatewayClient, model: string, prompt: string, streamed: boolean, metadata: Record<string, string>): Promise<Outcome> {
    return ask(client, model, prompt, streamed, metadata).then(
      (answer) => ({ prompt, answer }),
      (error: grpc.ServiceError) => ({ prompt, error }),
    );
  }

  const answered = (outcomes: Outcome[]) => outcomes.flatMap((each) => ('answer' in each ? [each] : []));
  const wrongAnswers = (outcomes: Outcome[]) =>
    outcomes.filter((each) => !('answer' in each) || each.answer.content !== each.prompt).map((each) => ('answer' in each ? `${each.prompt}: got "${each.answer.content}"` : `${each.prompt}: ${each.error.message}`));

  const rowsOf = async (ids: string[]) => (await db.query(`SELECT request_id, status, caller_outcome FROM usage_events WHERE request_id = ANY($1)`, [ids])).rows as Row[];

  /** Waits for a row of every id, then the count of rows per id and their statuses. */
  async function rowsPerRequest(ids: string[]): Promise<{ counts: Record<string, number>; statuses: string[] }> {
    const rows = await eventually(async () => {
      const found = await rowsOf(ids);
      return new Set(found.map((row) => row.request_id)).size === ids.length ? found : undefined;
    }, `a usage row for each of ${ids.length} answers`, 120_000, 500);
    const counts: Record<string, number> = {};
    for (const row of rows) counts[row.request_id] = (counts[row.request_id] ?? 0) + 1;
    return { counts, statuses: [...new Set(rows.map((row) => row.status))] };
  }

  /** `count` calls through one instance, `concurrency` at a time, every fourth one streamed. */
  async function steadyCalls(instance: number, count: number, concurrency: number): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const call = next++;
        outcomes.push(await outcome(clients[instance], 'mock-echo', `${run} instance ${instance} call ${call}`, call % 4 === 0, { run, phase: 'steady' }));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return outcomes;
  }

  it('answers steady calls through both instances, each caller with its own answer, each answer with one ok row', async () => {
    const outcomes = (await Promise.all([steadyCalls(0, 100, 10), steadyCalls(1, 100, 10)])).flat();
    expect(wrongAnswers(outcomes)).toEqual([]);
    const ids = answered(outcomes).map((each) => each.answer.id);
    expect(new Set(ids).size).toBe(200);

    const { counts, statuses } = await rowsPerRequest(ids);
    expect(Object.entries(counts).filter(([, count]) => count !== 1)).toEqual([]);
    expect(statuses).toEqual(['ok']);
  });

  it('loses only the callers of an instance killed with -9, keeps serving through the other, and serves again once the supervisor restarts it', async () => {
    const [survivor, killed] = [0, 1];
    const calls = (instance: number, door: string) =>
      Array.from({ length: 20 }, (_, call) => outcome(clients[instance], 'mock-slow', `${run} ${door} call ${call}`, call % 2 === 0, { run, door }));
    const survivors = calls(survivor, 'survivor');
    const victims = calls(killed, 'killed');
    // mock-slow holds each call 3 s at the provider: after 1 s every call has long been taken.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const outputBefore = gateway.output().length;
    process.kill(pidListeningOn(gateway, gateway.grpcAddresses[killed]), 'SIGKILL');

    const victimOutcomes = await Promise.all(victims);
    const failures = victimOutcomes.flatMap((each) => ('error' in each ? [each.error.code] : []));
    expect(failures).toEqual(victimOutcomes.map(() => grpc.status.UNAVAILABLE));
    const survivorOutcomes = await Promise.all(survivors);
    expect(wrongAnswers(survivorOutcomes)).toEqual([]);

    const after = await ask(clients[survivor], 'mock-echo', `${run} after the kill`, false, { run, phase: 'after' });
    expect(after.content).toBe(`${run} after the kill`);

    await eventually(async () => (gateway.output().slice(outputBefore).includes('[supervisor] ingress#2 ready again after restart 1') ? true : undefined), 'the killed ingress restarted', 120_000, 200);
    expect(gateway.output().slice(outputBefore)).toContain('[supervisor] ingress#2 exited (SIGKILL); restart 1 in');
    const restarted = await ask(clients[killed], 'mock-echo', `${run} restarted`, true, { run, phase: 'restarted' });
    expect(restarted.content).toBe(`${run} restarted`);

    const survivorRows = await rowsPerRequest(answered(survivorOutcomes).map((each) => each.answer.id));
    expect(Object.values(survivorRows.counts)).toEqual(survivorOutcomes.map(() => 1));
    expect(survivorRows.statuses).toEqual(['ok']);

    // The killed instance's callers never learnt their request ids, so their rows are found by the
    // metadata the calls carried. Each call had entered the pipeline (mock-slow held it 3 s at the
    // provider), so each has one row; its answer reached a reply topic whose reader had died, and the
    // restarted instance, which reads the same topic, records it as undelivered: the row says cancelled.
    const victimRows = await eventually(async () => {
      const rows = (await db.query(`SELECT request_id, status, caller_outcome FROM usage_events WHERE metadata->>'run' = $1 AND metadata->>'door' = 'killed'`, [run])).rows as Row[];
      return rows.length === victimOutcomes.length && rows.every((row) => row.caller_outcome) ? rows : undefined;
    }, 'the killed instance\'s callers\' rows saying cancelled', 60_000);
    expect(new Set(victimRows.map((row) => row.request_id)).size).toBe(victimOutcomes.length);
    expect([...new Set(victimRows.map((row) => row.status))]).toEqual(['cancelled']);
  });
});

/** The pid of the ingress instance whose gRPC front door is `address`: each instance is given its own in its environment. */
function pidListeningOn(gateway: RunningDistributedGateway, address: string): number {
  const pids = gateway.pids('ingress').filter((pid) => fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`GATEWAY_GRPC_ADDR=${address}`));
  expect(pids).toHaveLength(1);
  return pids[0];
}
