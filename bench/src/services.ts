// Starting and stopping the processes under test. Each one runs in a process group of its own, so that
// stopping it also stops whatever it spawned (LiteLLM's uvicorn, for one), and nothing else.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export const WORKSPACE_ROOT = path.resolve(__dirname, '../..');
export const BENCH_DIR = path.join(WORKSPACE_ROOT, 'bench');
export const CACHE_DIR = path.join(BENCH_DIR, '.cache');

export interface ServiceProcess {
  name: string;
  pid: number;
  /** The last lines it printed, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Ready once this port accepts connections... */
  port?: number;
  /** ...and (or only) once a printed line matches. */
  readyLine?: RegExp;
  timeoutMs?: number;
  /** CPUs to run on (taskset list, e.g. "1"); inherited from this process when absent. */
  cpus?: string;
}

const OUTPUT_KEPT = 8000;

export async function startService(options: StartOptions): Promise<ServiceProcess> {
  // taskset execs the command in place, so the pid stays the service's own.
  const [command, args] = options.cpus ? ['taskset', ['-c', options.cpus, options.command, ...options.args]] : [options.command, options.args];
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd ?? WORKSPACE_ROOT,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  let lineSeen = !options.readyLine;
  const onData = (data: Buffer) => {
    output = (output + data.toString()).slice(-OUTPUT_KEPT);
    if (!lineSeen && options.readyLine!.test(output)) lineSeen = true;
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exitCode: number | string | null = null;
  child.once('exit', (code, signal) => (exitCode = signal ?? code));
  child.once('error', (error) => (output += `\nspawn failed: ${error.message}`));

  const service: ServiceProcess = {
    name: options.name,
    pid: child.pid ?? -1,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup(child, 'SIGCONT'); // in case a measurement of another target froze it
      signalGroup(child, 'SIGTERM');
      const force = setTimeout(() => signalGroup(child, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(force);
    },
  };

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (exitCode !== null || child.pid === undefined) {
      throw new Error(`${options.name} exited (${exitCode}) before it was ready:\n${output.slice(-2000)}`);
    }
    if (lineSeen && (options.port === undefined || (await portOpen(options.port)))) return service;
    if (Date.now() > deadline) {
      await service.stop();
      throw new Error(`${options.name} was not ready within ${options.timeoutMs ?? 60_000} ms:\n${output.slice(-2000)}`);
    }
    await sleep(100);
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

const scriptBuilds = new Map<string, Promise<string>>();

/**
 * A node process running one of the bench's TypeScript entry points (the mock, the floors), bundled
 * first into bench/.cache/build as the apps are (tools/build-services.mjs): plain node, as Switchyard
 * runs, so that no process pays for a TypeScript loader the others do not (tsx's wrappers cost the
 * embedded gateway ~10% of its CPU a request).
 */
export async function startBenchScript(options: Omit<StartOptions, 'command' | 'args'> & { entry: string; nodeArgs?: string[] }): Promise<ServiceProcess> {
  let built = scriptBuilds.get(options.entry);
  if (!built) {
    const outdir = path.join(CACHE_DIR, 'build', path.dirname(options.entry));
    built = (async () => {
      const tools = (await import(pathToFileURL(path.join(WORKSPACE_ROOT, 'tools/build-services.mjs')).href)) as { bundle(entry: string, outdir: string): Promise<void> };
      await tools.bundle(path.resolve(WORKSPACE_ROOT, options.entry), outdir);
      return path.join(outdir, path.basename(options.entry).replace(/\.ts$/, '.js'));
    })();
    scriptBuilds.set(options.entry, built);
  }
  return startService({ ...options, command: process.execPath, args: ['--enable-source-maps', ...(options.nodeArgs ?? []), await built] });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
