// The other gateways the same load runs against, each installed into bench/.cache (git-ignored) with
// its ordinary client on first use: Portkey's gateway from npm, LiteLLM's proxy from PyPI into a venv,
// Bifrost's HTTP transport from the Go module proxy. One that fails to install is reported with the
// reason; it never stops the run.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { HttpTarget } from './load';
import { CACHE_DIR, freePort, startService, type ServiceProcess } from './services';

const run = promisify(execFile);

export interface RunningCompetitor {
  process: ServiceProcess;
  http: HttpTarget;
}

export interface Competitor {
  name: string;
  /** Installs when missing; throws with the reason when it cannot be had here. */
  install(log: (line: string) => void): Promise<void>;
  start(upstreamBaseUrl: string): Promise<RunningCompetitor>;
}

/** The last lines of a failed command's output: the part that says why. */
function reasonOf(error: unknown): string {
  const failure = error as { stderr?: string; stdout?: string; message: string };
  const text = (failure.stderr || failure.stdout || failure.message).trim().split('\n').filter(Boolean);
  return text.slice(-3).join(' | ').slice(0, 400);
}

async function installStep(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<void> {
  try {
    await run(command, args, { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    throw new Error(`${command} ${args.join(' ')} failed: ${reasonOf(error)}`);
  }
}

const PORTKEY_VERSION = '1.15.2';
const portkeyDir = path.join(CACHE_DIR, 'portkey');
const portkeyServer = path.join(portkeyDir, 'node_modules/@portkey-ai/gateway/build/start-server.js');

export const portkey: Competitor = {
  name: 'portkey',
  async install(log) {
    if (existsSync(portkeyServer)) return;
    log(`installing @portkey-ai/gateway@${PORTKEY_VERSION} into ${portkeyDir}`);
    mkdirSync(portkeyDir, { recursive: true });
    writeFileSync(path.join(portkeyDir, 'package.json'), '{ "private": true }\n');
    await installStep('npm', ['install', '--no-audit', '--no-fund', `@portkey-ai/gateway@${PORTKEY_VERSION}`], { cwd: portkeyDir, timeoutMs: 300_000 });
  },
  async start(upstreamBaseUrl) {
    const port = await freePort();
    const process_ = await startService({
      name: 'portkey',
      command: process.execPath,
      args: [portkeyServer, `--port=${port}`, '--headless'],
      cwd: portkeyDir,
      env: { ...process.env, NODE_ENV: 'production' },
      port,
    });
    return {
      process: process_,
      // Portkey routes by headers: the provider, and a custom host for an OpenAI-compatible server.
      http: { baseUrl: `http://127.0.0.1:${port}/v1`, model: 'gpt-bench', headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': upstreamBaseUrl } },
    };
  },
};

const litellmVenv = path.join(CACHE_DIR, 'litellm-venv');
const litellmBin = path.join(litellmVenv, 'bin/litellm');

export const litellm: Competitor = {
  name: 'litellm',
  async install(log) {
    if (existsSync(litellmBin)) return;
    log(`installing litellm[proxy] into the venv ${litellmVenv} (a few minutes, once)`);
    await installStep('python3', ['-m', 'venv', litellmVenv], { timeoutMs: 120_000 });
    await installStep(path.join(litellmVenv, 'bin/pip'), ['install', '--quiet', 'litellm[proxy]'], { timeoutMs: 900_000 });
  },
  async start(upstreamBaseUrl) {
    const port = await freePort();
    const configPath = path.join(CACHE_DIR, 'run/litellm.yaml');
    const masterKey = `sk-bench-${randomBytes(24).toString('hex')}`;
    mkdirSync(path.dirname(configPath), { recursive: true });
    writeFileSync(
      configPath,
      [
        'model_list:',
        '  - model_name: gpt-bench',
        '    litellm_params:',
        '      model: openai/gpt-bench',
        `      api_base: ${upstreamBaseUrl}`,
        '      api_key: sk-bench',
        'litellm_settings:',
        '  telemetry: false',
        '  drop_params: true',
        // The proxy refuses to start without a key; callers present it as their bearer token.
        'general_settings:',
        `  master_key: ${masterKey}`,
        '',
      ].join('\n'),
    );
    const process_ = await startService({
      name: 'litellm',
      command: litellmBin,
      args: ['--config', configPath, '--host', '127.0.0.1', '--port', String(port), '--num_workers', '1'],
      env: { ...process.env, LITELLM_LOG: 'ERROR', LITELLM_TELEMETRY: 'False', DISABLE_SCHEMA_UPDATE: 'true' },
      port,
      timeoutMs: 120_000,
    });
    return { process: process_, http: { baseUrl: `http://127.0.0.1:${port}/v1`, model: 'gpt-bench', headers: { authorization: `Bearer ${masterKey}` } } };
  },
};

const bifrostDir = path.join(CACHE_DIR, 'bifrost');
const bifrostBin = path.join(bifrostDir, 'bin/bifrost-http');

export const bifrost: Competitor = {
  name: 'bifrost',
  async install(log) {
    if (existsSync(bifrostBin)) return;
    log(`building github.com/maximhq/bifrost/transports/bifrost-http into ${bifrostDir}`);
    mkdirSync(bifrostDir, { recursive: true });
    await installStep('go', ['install', 'github.com/maximhq/bifrost/transports/bifrost-http@latest'], {
      env: { ...process.env, GOBIN: path.join(bifrostDir, 'bin') },
      timeoutMs: 900_000,
    });
  },
  async start(upstreamBaseUrl) {
    const port = await freePort();
    const appDir = path.join(CACHE_DIR, 'run/bifrost');
    mkdirSync(appDir, { recursive: true });
    // File-based configuration: one OpenAI provider pointed at the mock, no config store, no UI.
    writeFileSync(
      path.join(appDir, 'config.json'),
      JSON.stringify({
        client: { drop_excess_requests: false, enable_logging: false },
        providers: {
          openai: {
            keys: [{ name: 'bench', value: 'sk-bench', models: ['*'], weight: 1 }],
            network_config: { base_url: upstreamBaseUrl.replace(/\/v1$/, '') },
          },
        },
        config_store: { enabled: false },
      }),
    );
    const process_ = await startService({ name: 'bifrost', command: bifrostBin, args: ['-app-dir', appDir, '-port', String(port), '-host', '127.0.0.1', '-log-level', 'error'], port });
    return { process: process_, http: { baseUrl: `http://127.0.0.1:${port}/v1`, model: 'openai/gpt-bench' } };
  },
};

export const COMPETITORS: Competitor[] = [portkey, litellm, bifrost];
