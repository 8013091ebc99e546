import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { eventually } from '@switchyard/testing';
import type { Logger } from '@switchyard/telemetry';
import { configVersionOf, LiveConfig, type LiveConfigOptions } from './live';
import { parseGatewayConfig } from './load';
import { reloadConfigFile, watchConfigFile } from './watch';

const ONE = 'models: [{ name: one, provider: mock }]\n';
const TWO = 'models: [{ name: one, provider: mock }, { name: two, provider: mock }]\n';

/** A view of the model names, and every view made, so a test sees what was derived. */
function options(derived: string[][] = []): LiveConfigOptions<string[]> {
  return {
    parse: (text, source) => parseGatewayConfig(text, source),
    derive: (config) => {
      const names = config.models.map((model) => model.name);
      derived.push(names);
      return names;
    },
  };
}

function recordingLogger(): Logger & { lines: [string, string, Record<string, unknown> | undefined][] } {
  const lines: [string, string, Record<string, unknown> | undefined][] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push([level, message, fields]);
  const logger: Logger & { lines: typeof lines } = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

describe('LiveConfig', () => {
  it('names a version by its text, alike in every instance', () => {
    expect(configVersionOf(ONE)).toMatch(/^[0-9a-f]{16}$/);
    expect(configVersionOf(ONE)).toBe(configVersionOf(`${ONE}`));
    expect(configVersionOf(TWO)).not.toBe(configVersionOf(ONE));
  });

  it('swaps in a new version whole, and keeps the old one for the requests that started on it', () => {
    const live = new LiveConfig(options(), { text: ONE, source: 'a.yaml' });
    const started = live.current;
    const seen: string[] = [];
    live.onChange((snapshot) => seen.push(snapshot.config_version));
    expect(live.apply(TWO, 'b.yaml')).toEqual({ outcome: 'applied', config_version: configVersionOf(TWO), previous_version: configVersionOf(ONE), source: 'b.yaml', restart_needed: [] });
    expect(live.current.view).toEqual(['one', 'two']);
    expect(seen).toEqual([configVersionOf(TWO)]);
    // A request that started on the first version finishes on it; one that carries none gets the current.
    expect(live.at(started.config_version)).toBe(started);
    expect(live.at(started.config_version).view).toEqual(['one']);
    expect(live.at(undefined).view).toEqual(['one', 'two']);
    expect(started.view).toEqual(['one']);
  });

  it('never changes a version once made: its configuration is frozen', () => {
    const live = new LiveConfig(options(), { text: ONE, source: 'a.yaml' });
    expect(() => (live.current.config.models as unknown[]).push({ name: 'sneaked' })).toThrow(TypeError);
    expect(() => ((live.current.config.limits as { default_timeout_ms: number }).default_timeout_ms = 1)).toThrow(TypeError);
    expect(live.current.config.models.map((model) => model.name)).toEqual(['one']);
  });

  it('refuses a configuration that fails a check, saying why, and keeps the running one', () => {
    const derived: string[][] = [];
    const live = new LiveConfig(options(derived), { text: ONE, source: 'a.yaml' });
    const seen: string[] = [];
    live.onChange((snapshot) => seen.push(snapshot.config_version));
    const bad = 'models: [{ name: one, provider: mock }]\nproviders: { mock: {} }\nlimits: { max_request_byte: 10 }\n';
    expect(live.apply(bad, 'b.yaml')).toEqual({
      outcome: 'refused',
      config_version: configVersionOf(bad),
      kept_version: configVersionOf(ONE),
      source: 'b.yaml',
      reason: 'b.yaml: limits.max_request_byte: unknown key',
    });
    expect(live.current.config_version).toBe(configVersionOf(ONE));
    expect(live.current.view).toEqual(['one']);
    expect(seen).toEqual([]);
    expect(derived).toEqual([['one']]);
  });

  it('refuses a configuration the process cannot run (its view fails to build)', () => {
    const live = new LiveConfig(
      {
        parse: (text, source) => parseGatewayConfig(text, source),
        derive: (config) => {
          if (config.models.length > 1) throw new Error('provider two: no adapter named two');
          return config.models.length;
        },
      },
      { text: ONE, source: 'a.yaml' },
    );
    expect(live.apply(TWO, 'b.yaml')).toMatchObject({ outcome: 'refused', reason: 'b.yaml: provider two: no adapter named two' });
    expect(live.current.view).toBe(1);
  });

  it('does nothing for the text it runs on', () => {
    const derived: string[][] = [];
    const live = new LiveConfig(options(derived), { text: ONE, source: 'a.yaml' });
    expect(live.apply(ONE, 'a.yaml')).toEqual({ outcome: 'unchanged', config_version: configVersionOf(ONE), source: 'a.yaml' });
    expect(derived).toEqual([['one']]);
  });

  it('says which changed settings take effect only at a restart', () => {
    const live = new LiveConfig(options(), { text: ONE, source: 'a.yaml' });
    expect(live.apply(`${ONE}limits: { max_request_bytes: 1024, default_timeout_ms: 5000 }\n`, 'b.yaml')).toMatchObject({ outcome: 'applied', restart_needed: ['limits.max_request_bytes'] });
    expect(live.current.config.limits).toEqual({ max_request_bytes: 1024, default_timeout_ms: 5000 });
  });

  it('keeps a bounded number of versions: a request of a forgotten one gets the current', () => {
    const live = new LiveConfig({ ...options(), kept: 2 }, { text: ONE, source: 'a.yaml' });
    const first = live.current.config_version;
    live.apply(TWO, 'b.yaml');
    expect(live.at(first).view).toEqual(['one']);
    live.apply(`${TWO}# a comment is a new version\n`, 'c.yaml');
    expect(live.at(first).view).toEqual(['one', 'two']);
    expect(live.at(configVersionOf(TWO)).config_version).toBe(configVersionOf(TWO));
  });

  it('starts on a configuration read already, versioned by its JSON', () => {
    const config = parseGatewayConfig(ONE);
    const live = new LiveConfig(options(), { config, source: 'options' });
    expect(live.current.config_version).toBe(configVersionOf(JSON.stringify(config)));
    expect(live.current.view).toEqual(['one']);
  });
});

describe('the configuration file, followed', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-live-config-'));
    file = path.join(dir, 'switchyard.yaml');
    fs.writeFileSync(file, ONE);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('applies the file when an editor replaces it (a new file renamed over it), and again after', async () => {
    const live = new LiveConfig(options(), { text: ONE, source: file });
    const logger = recordingLogger();
    const watch = watchConfigFile(live, file, logger, { debounceMs: 20 });
    try {
      fs.writeFileSync(`${file}.tmp`, TWO);
      fs.renameSync(`${file}.tmp`, file);
      await eventually(async () => (live.current.config_version === configVersionOf(TWO) ? true : undefined), 'the replaced file applied', 5000, 10);
      fs.writeFileSync(file, ONE);
      await eventually(async () => (live.current.config_version === configVersionOf(ONE) ? true : undefined), 'the rewritten file applied', 5000, 10);
      expect(logger.lines.filter(([, message]) => message === 'configuration applied').map(([, , fields]) => fields!.config_version)).toEqual([configVersionOf(TWO), configVersionOf(ONE)]);
    } finally {
      watch.close();
    }
  });

  it('refuses an invalid file, logging why, and keeps the running version', async () => {
    const live = new LiveConfig(options(), { text: ONE, source: file });
    const logger = recordingLogger();
    const watch = watchConfigFile(live, file, logger, { debounceMs: 20 });
    try {
      fs.writeFileSync(file, 'models: [{ name: one, provider: mock, upstream_modle: x }]\n');
      const refusal = await eventually(async () => logger.lines.find(([, message]) => message === 'configuration refused; the running one stays'), 'the refusal logged', 5000, 10);
      expect(refusal[0]).toBe('error');
      expect(refusal[2]).toMatchObject({ kept_version: configVersionOf(ONE), reason: `${file}: models.0.upstream_modle: unknown key` });
      expect(live.current.config_version).toBe(configVersionOf(ONE));
    } finally {
      watch.close();
    }
  });

  it('rereads the file on SIGHUP', async () => {
    const live = new LiveConfig(options(), { text: ONE, source: file });
    const logger = recordingLogger();
    // A debounce longer than the test: only the signal can apply the change (the embedded gateway's
    // end-to-end test sends a real one to its process).
    const signals = new EventEmitter();
    const watch = watchConfigFile(live, file, logger, { debounceMs: 60_000, signals });
    try {
      fs.writeFileSync(file, TWO);
      signals.emit('SIGHUP');
      await eventually(async () => (live.current.config_version === configVersionOf(TWO) ? true : undefined), 'the file applied on SIGHUP', 5000, 10);
      expect(live.current.view).toEqual(['one', 'two']);
    } finally {
      watch.close();
    }
  });

  it('refuses a file it cannot read', () => {
    const live = new LiveConfig(options(), { text: ONE, source: file });
    fs.rmSync(file);
    expect(reloadConfigFile(live, file)).toMatchObject({ outcome: 'refused', kept_version: configVersionOf(ONE), reason: expect.stringContaining(`cannot read configuration ${file}: ENOENT`) });
  });
});
