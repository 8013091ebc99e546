// The supervisor behind `npm run start:distributed`: runs N instances of each service, restarts one
// that exits with exponential backoff while the others keep serving, and stops them in order.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** A command line or scale file the supervisor does not understand: exit 2 with the message. */
export class UsageError extends Error {
  constructor(message) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `usage: npm run start:distributed -- [--scale SERVICE=N,...] [--scale-file FILE]
  --scale       instances per service, e.g. --scale router=2,provider-worker=3,ingress=2 (default: 1 each)
  --scale-file  the same from a file: SERVICE=N separated by commas or lines; # starts a comment
                (--scale wins for a service named in both)
  Ingress instance i (from 0) listens on the gRPC and HTTP ports of GATEWAY_GRPC_ADDR and
  GATEWAY_HTTP_ADDR plus i.`;

/** Reads the command line: instances per service, every service present. Throws UsageError. */
export function parseCommandLine(argv, services) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { scale: { type: 'string' }, 'scale-file': { type: 'string' }, help: { type: 'boolean' } } });
  } catch (error) {
    throw new UsageError(error.message);
  }
  const { values } = parsed;
  if (values.help) return { help: true };
  const scale = new Map(services.map((service) => [service, 1]));
  if (values['scale-file'] !== undefined) {
    let text;
    try {
      text = readFileSync(values['scale-file'], 'utf8');
    } catch (error) {
      throw new UsageError(`--scale-file ${values['scale-file']}: ${error.message}`);
    }
    const lines = text.split('\n').map((line) => line.replace(/#.*/, '').trim());
    for (const [service, count] of parseScale(lines.filter(Boolean).join(','), services, `--scale-file ${values['scale-file']}`)) scale.set(service, count);
  }
  if (values.scale !== undefined) for (const [service, count] of parseScale(values.scale, services, '--scale')) scale.set(service, count);
  return { help: false, scale };
}

/** "router=2,provider-worker=3" -> Map { router => 2, provider-worker => 3 }. Throws UsageError. */
export function parseScale(text, services, source) {
  const scale = new Map();
  for (const part of text.split(',').map((item) => item.trim()).filter(Boolean)) {
    const match = /^([\w-]+)\s*=\s*(\d+)$/.exec(part);
    if (!match) throw new UsageError(`${source}: "${part}" is not SERVICE=N, such as router=2`);
    const [, service, count] = match;
    if (!services.includes(service)) throw new UsageError(`${source}: no service "${service}" (the services: ${services.join(', ')})`);
    if (Number(count) < 1 || Number(count) > 64) throw new UsageError(`${source}: ${service}=${count}; instances run from 1 to 64`);
    if (scale.has(service)) throw new UsageError(`${source}: ${service} is given twice`);
    scale.set(service, Number(count));
  }
  return scale;
}

/** host:port -> host:(port + offset), for the ingress instance at that offset. */
export function offsetAddress(address, offset) {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port)) throw new UsageError(`"${address}" is not host:port`);
  return `${address.slice(0, colon)}:${port + offset}`;
}

/** The wait before restart number `restart` (from 1): doubling from initialMs, at most maxMs. */
export function restartDelayMs(restart, { initialMs, maxMs }) {
  return Math.min(initialMs * 2 ** (restart - 1), maxMs);
}

/**
 * Runs instances, each `{ name, service, command, args, env }`; a line a service prints that contains
 * `"<service> ready"` marks it ready. Output is prefixed with the instance's name.
 */
export class Supervisor {
  constructor({ instances, cwd, out = process.stdout, err = process.stderr, initialRestartDelayMs = 500, maxRestartDelayMs = 30_000, stableAfterMs = 30_000, onAllReady }) {
    this.instances = instances.map((instance) => ({ ...instance, restarts: 0, child: undefined, ready: false, timer: undefined, startedAt: 0 }));
    this.cwd = cwd;
    this.out = out;
    this.err = err;
    this.backoff = { initialMs: initialRestartDelayMs, maxMs: maxRestartDelayMs };
    this.stableAfterMs = stableAfterMs;
    this.onAllReady = onAllReady;
    this.allReady = false;
    this.stopping = false;
  }

  start() {
    for (const instance of this.instances) this.spawn(instance);
  }

  log(line) {
    this.err.write(`[supervisor] ${line}\n`);
  }

  spawn(instance) {
    instance.timer = undefined;
    instance.startedAt = Date.now();
    // A process group of its own: Ctrl-C in a terminal reaches the supervisor only, which stops the
    // front doors before the stages.
    const child = spawn(instance.command, instance.args, { cwd: this.cwd, env: instance.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    instance.child = child;
    this.forward(instance, child.stdout, this.out);
    this.forward(instance, child.stderr, this.err);
    child.on('exit', (code, signal) => this.exited(instance, code, signal));
  }

  forward(instance, stream, out) {
    let buffered = '';
    stream.on('data', (data) => {
      buffered += data.toString();
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        out.write(`[${instance.name}] ${line}\n`);
        if (!instance.ready && line.includes(`"${instance.service} ready"`)) this.becameReady(instance);
      }
    });
  }

  becameReady(instance) {
    instance.ready = true;
    if (instance.restarts > 0) this.log(`${instance.name} ready again after restart ${instance.restarts}`);
    if (!this.allReady && this.instances.every((each) => each.ready)) {
      this.allReady = true;
      this.onAllReady?.();
    }
  }

  exited(instance, code, signal) {
    instance.child = undefined;
    instance.ready = false;
    if (this.stopping) {
      if (this.instances.every((each) => !each.child)) this.resolveStopped?.();
      return;
    }
    // A service that ran a while before it died starts its backoff afresh.
    if (Date.now() - instance.startedAt >= this.stableAfterMs) instance.restarts = 0;
    instance.restarts += 1;
    const wait = restartDelayMs(instance.restarts, this.backoff);
    this.log(`${instance.name} exited (${signal ?? `code ${code}`}); restart ${instance.restarts} in ${wait} ms`);
    instance.timer = setTimeout(() => this.spawn(instance), wait);
  }

  /**
   * SIGTERM to the front doors first, so no new work enters, and to the stages once the front doors
   * have exited (their callers' answers still need the stages); SIGKILL to what still runs after killAfterMs.
   */
  stop(killAfterMs) {
    if (this.stopping) return this.stopped;
    this.stopping = true;
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    for (const instance of this.instances) clearTimeout(instance.timer);
    const running = (front) => this.instances.filter((instance) => instance.child && (front === undefined || (instance.service === 'ingress') === front));
    if (running().length === 0) this.resolveStopped();
    const stopStages = () => running(false).forEach((instance) => instance.child.kill('SIGTERM'));
    const frontDoors = running(true);
    if (frontDoors.length === 0) stopStages();
    let left = frontDoors.length;
    for (const instance of frontDoors) {
      instance.child.once('exit', () => --left === 0 && stopStages());
      instance.child.kill('SIGTERM');
    }
    setTimeout(() => {
      for (const instance of running()) {
        this.log(`${instance.name} did not stop within ${killAfterMs} ms; killing it`);
        instance.child.kill('SIGKILL');
      }
    }, killAfterMs).unref();
    return this.stopped;
  }
}
