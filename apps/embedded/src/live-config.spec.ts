// One live configuration in embedded mode (issue 14, item 3): the gateway follows its file under steady
// load, failing no request; every row records the version that routed it and was served as that version
// says; a file saved invalid is refused and the running version kept. The process itself (`npm start`'s
// bundle) rereads its file on SIGHUP, which would otherwise end it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configVersionOf } from '@switchyard/config';
import type { Logger } from '@switchyard/telemetry';
import { eventually, freePort, WORKSPACE_ROOT, LIVE_CONFIG_V1, LIVE_CONFIG_V2 } from '@switchyard/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway';

jest.setTimeout(180_000);

const [V1, V2] = [LIVE_CONFIG_V1, LIVE_CONFIG_V2];
const INVALID = `${V2}guardrail: { rule: [mask_email] }\n`;

function recordingLogger(): Logger & { lines: { message: string; fields?: Record<string, unknown> }[] } {
  const lines: { message: string; fields?: Record<string, unknown> }[] = [];
  const record = (message: string, fields?: Record<string, unknown>) => void lines.push({ message, fields });
  const logger: Logger & { lines: typeof lines } = { lines, debug: record, info: record, warn: record, error: record, child: () => logger };
  return logger;
}

describe('the embedded gateway on a live configuration file', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-embedded-live-'));
    file = path.join(dir, 'switchyard.yaml');
    fs.writeFileSync(file, V1);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('applies a changed file under load, failing no request, and refuses an invalid one, keeping the running version', async () => {
    const logger = recordingLogger();
    const gateway: EmbeddedGateway = await startEmbeddedGateway({ configFile: file, grpcAddress: '127.0.0.1:0', dataDir: path.join(dir, 'data'), logger, env: {} });
    try {
      const [v1, v2] = [configVersionOf(V1), configVersionOf(V2)];
      expect(gateway.config.current.config_version).toBe(v1);
      const outcomes: { ok: boolean; error?: string }[] = [];
      let loading = true;
      const caller = async (index: number) => {
        for (let n = 0; loading; n++) {
          try {
            const response = await gateway.core.chat({ model: 'chat', messages: [{ role: 'user', content: `caller ${index} request ${n}` }] });
            outcomes.push({ ok: response.choices[0].message.content === `caller ${index} request ${n}` });
          } catch (error) {
            outcomes.push({ ok: false, error: (error as Error).message });
          }
        }
      };
      const callers = [0, 1, 2, 3].map(caller);
      const answered = async (count: number, what: string) => {
        const target = outcomes.length + count;
        await eventually(async () => (outcomes.length >= target ? true : undefined), what, 60_000, 10);
      };
      await answered(40, 'answers on version 1');

      // Saved as many editors save: a new file renamed over the old one.
      fs.writeFileSync(`${file}.swp`, V2);
      fs.renameSync(`${file}.swp`, file);
      await eventually(async () => (gateway.config.current.config_version === v2 ? true : undefined), 'version 2 applied', 10_000, 10);
      await answered(40, 'answers on version 2');
      expect((await gateway.core.chat({ model: 'chat-added', messages: [{ role: 'user', content: 'added' }] })).choices[0].message.content).toBe('added');

      fs.writeFileSync(file, INVALID);
      const refusal = await eventually(async () => logger.lines.find((line) => line.message === 'configuration refused; the running one stays'), 'the invalid file refused', 10_000, 10);
      expect(refusal.fields).toEqual({ config_version: configVersionOf(INVALID), kept_version: v2, reason: `${file}: guardrail.rule: unknown key` });
      await answered(40, 'answers after the refusal');
      expect(gateway.config.current.config_version).toBe(v2);

      loading = false;
      await Promise.all(callers);
      expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
      const rows = await eventually(async () => {
        const result = await gateway.db.query<{ model: string; upstream_model: string; config_version: string; status: string }>('SELECT model, upstream_model, config_version, status FROM usage_events');
        return result.rows.length === outcomes.length + 1 ? result.rows : undefined;
      }, 'a row for every request', 30_000);
      expect(rows.filter((row) => row.status !== 'ok')).toEqual([]);
      const pairs = new Set(rows.filter((row) => row.model === 'chat').map((row) => `${row.config_version} ${row.upstream_model}`));
      expect(pairs).toEqual(new Set([`${v1} first`, `${v2} second`]));
      expect(rows.filter((row) => row.model === 'chat-added').map((row) => row.config_version)).toEqual([v2]);
    } finally {
      await gateway.stop();
    }
  });

  it('rereads its file on SIGHUP, as `npm start` runs it, and keeps serving', async () => {
    execFileSync(process.execPath, [path.join(WORKSPACE_ROOT, 'tools/build-services.mjs'), 'embedded'], { cwd: WORKSPACE_ROOT, stdio: 'ignore' });
    const httpAddress = `127.0.0.1:${await freePort()}`;
    const child: ChildProcess = spawn(process.execPath, ['--enable-source-maps', path.join(WORKSPACE_ROOT, 'dist/embedded/main.js')], {
      cwd: dir,
      env: { ...process.env, SWITCHYARD_CONFIG: file, GATEWAY_GRPC_ADDR: `127.0.0.1:${await freePort()}`, GATEWAY_HTTP_ADDR: httpAddress, GATEWAY_DATA_DIR: path.join(dir, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (data) => (output += data.toString()));
    child.stderr!.on('data', (data) => (output += data.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const models = async () => ((await (await fetch(`http://${httpAddress}/v1/models`)).json()) as { data: { id: string }[] }).data.map((model) => model.id);
    try {
      await eventually(async () => (output.includes('Switchyard is serving') ? true : undefined), 'the gateway serving', 60_000);
      child.kill('SIGHUP');
      await eventually(async () => (output.includes('"msg":"configuration unchanged"') ? true : undefined), 'the file reread on SIGHUP', 10_000, 10);
      expect(child.exitCode).toBeNull();
      expect(await models()).toEqual(['chat']);
      fs.writeFileSync(file, V2);
      child.kill('SIGHUP');
      await eventually(async () => (output.includes(`"msg":"configuration applied","config_version":"${configVersionOf(V2)}"`) ? true : undefined), 'version 2 applied', 10_000, 10);
      expect(await models()).toEqual(['chat', 'chat-added']);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
