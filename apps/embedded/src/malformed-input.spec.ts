// The malformed-input corpus against the embedded gateway's real front doors (HTTP and gRPC on ports):
// every case gets its expected answer in the API's own shape, the gateway keeps answering, its memory
// comes back, and every answer that succeeded has exactly one usage row saying ok.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { parseGatewayConfig } from '@switchyard/config';
import { createLogger } from '@switchyard/telemetry';
import { CORPUS_GATEWAY_CONFIG, eventually, freePort, frontDoorCorpus, runCorpus, type CaseOutcome, type CorpusTarget } from '@switchyard/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway';

jest.setTimeout(900_000);


v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

function heapUsedAfterGc(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

describe('the malformed-input corpus, embedded gateway', () => {
  let gateway: EmbeddedGateway;
  let dataDir: string;
  let target: CorpusTarget;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-corpus-'));
    gateway = await startEmbeddedGateway({
      config: parseGatewayConfig(CORPUS_GATEWAY_CONFIG),
      grpcAddress: '127.0.0.1:0',
      httpAddress: `127.0.0.1:${await freePort()}`,
      dataDir,
      logger: createLogger('corpus-test', 'error'),
    });
    target = { httpUrl: gateway.httpUrl!, grpcAddress: `127.0.0.1:${gateway.port}` };
  });

  afterAll(async () => {
    await gateway?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every case as expected, keeps serving, keeps its memory, and records every answer once', async () => {
    const cases = frontDoorCorpus();
    expect(cases.length).toBeGreaterThanOrEqual(300);
    // A first pass loads what the gateway loads once (the tokenizer, code paths) and sizes its heap.
    const since = new Date();
    const first = await runCorpus(target, cases);
    expect(problems(first)).toEqual([]);
    const before = heapUsedAfterGc();
    const second = await runCorpus(target, cases);
    expect(problems(second)).toEqual([]);
    const after = heapUsedAfterGc();
    expect({ after, within: after <= before * 1.1 }).toEqual({ after, within: true });

    const answered = [...first, ...second].filter((outcome) => outcome.answered);
    expect(answered.length).toBeGreaterThan(100);
    await expectOneOkRowEach(gateway, answered, since);
    const health = await fetch(`${target.httpUrl}/healthz`);
    expect(health.status).toBe(200);
  });
});

function problems(outcomes: CaseOutcome[]): string[] {
  return outcomes.filter((outcome) => outcome.problem).map((outcome) => `${outcome.name}: ${outcome.problem}`);
}

async function expectOneOkRowEach(gateway: EmbeddedGateway, answered: CaseOutcome[], since: Date): Promise<void> {
  const chatIds = answered.filter((outcome) => outcome.answered!.kind === 'chat').map((outcome) => outcome.answered!.requestId);
  const embeds = answered.filter((outcome) => outcome.answered!.kind === 'embed').length;
  const rows = await eventually(async () => {
    const result = await gateway.db.query(
      `SELECT request_id, kind, status FROM usage_events WHERE ts >= $1 AND status = 'ok'`,
      [since.toISOString()],
    );
    const found = result.rows as { request_id: string; kind: string; status: string }[];
    return found.length >= chatIds.length + embeds ? found : undefined;
  }, 'a usage row for every answer', 60_000);
  const chatRows = new Map<string, number>();
  for (const row of rows.filter((row) => row.kind === 'chat')) chatRows.set(row.request_id, (chatRows.get(row.request_id) ?? 0) + 1);
  expect(chatIds.filter((id) => chatRows.get(id) !== 1)).toEqual([]);
  expect(chatRows.size).toBe(chatIds.length);
  expect(rows.filter((row) => row.kind === 'embed').length).toBe(embeds);
}
