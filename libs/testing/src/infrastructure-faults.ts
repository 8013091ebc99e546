// Takes the Kafka broker or the Postgres server a test was given down and brings it back, as the fault
// suite does: with infra/scripts (down.sh kafka|postgres, then up.sh), which only works for the ones
// those scripts started from this clone, found by their data under infra/.data and checked against the
// addresses the test was given, so that a test never stops a server it does not own.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { WORKSPACE_ROOT } from './infrastructure';

export interface InfrastructureFaults {
  stopBroker(): Promise<void>;
  stopPostgres(): Promise<void>;
  /** Starts whichever of the two is down, on the ports it had. */
  start(): Promise<void>;
}

const run = promisify(execFile);

/** Throws, saying why, unless both servers were started by infra/scripts from this clone. */
export function infrastructureFaults(kafkaBrokers: string, databaseUrl: string): InfrastructureFaults {
  const dataDir = process.env.SWITCHYARD_INFRA_DATA ?? path.join(WORKSPACE_ROOT, 'infra/.data');
  const scripts = path.join(WORKSPACE_ROOT, 'infra/scripts');
  const kafkaPort = Number(kafkaBrokers.split(',')[0].split(':').pop());
  const pgPort = Number(new URL(databaseUrl).port);
  const notOurs = (what: string) =>
    new Error(`${what} was not started by infra/scripts/up.sh from ${WORKSPACE_ROOT}, so a test cannot restart it: start it with \`npm run infra:up\` (SWITCHYARD_KAFKA_PORT and SWITCHYARD_PG_PORT choose the ports)`);
  const properties = path.join(dataDir, 'kafka/server.properties');
  const listeners = fs.existsSync(properties) ? /^listeners=PLAINTEXT:\/\/[^:]+:(\d+),CONTROLLER:\/\/[^:]+:(\d+)$/m.exec(fs.readFileSync(properties, 'utf8')) : null;
  if (!listeners || Number(listeners[1]) !== kafkaPort || !fs.existsSync(path.join(dataDir, 'kafka/kafka.pid'))) throw notOurs(`the broker at ${kafkaBrokers}`);
  const pgDirFile = path.join(dataDir, 'postgres-dir');
  const pgPid = fs.existsSync(pgDirFile) ? path.join(fs.readFileSync(pgDirFile, 'utf8').trim(), 'postmaster.pid') : '';
  // postmaster.pid's fourth line is the port the server listens on.
  if (!pgPid || !fs.existsSync(pgPid) || Number(fs.readFileSync(pgPid, 'utf8').split('\n')[3]) !== pgPort) throw notOurs(`the Postgres server at port ${pgPort}`);
  const env = {
    ...process.env,
    SWITCHYARD_KAFKA_PORT: String(kafkaPort),
    SWITCHYARD_KAFKA_CONTROLLER_PORT: listeners[2],
    SWITCHYARD_PG_PORT: String(pgPort),
  };
  const script = (name: string, ...args: string[]) => run('bash', [path.join(scripts, name), ...args], { cwd: WORKSPACE_ROOT, env, maxBuffer: 16 * 1024 * 1024 }).then(() => undefined);
  return {
    stopBroker: () => script('down.sh', 'kafka'),
    stopPostgres: () => script('down.sh', 'postgres'),
    start: () => script('up.sh'),
  };
}
