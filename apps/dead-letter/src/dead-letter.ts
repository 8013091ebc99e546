// Inspects the dead-letter topic and sends its events back where they came from, once the stage that
// refused them is fixed. Reads Kafka (KAFKA_BROKERS, or infra/.env as `npm run start:distributed`
// does), or with --data-dir the file the embedded gateway writes, where there is no Kafka to replay to.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { infraEnvFile } from '@switchyard/config';
import { DEAD_LETTER_HEADERS, TOPICS } from '@switchyard/contracts';
import { DEAD_LETTER_FILE, deadLetterAddress, replayHeaders, type DeadLetterRecord } from '@switchyard/pipeline';

export const USAGE = `usage: npm run dead-letter -- list|replay [options]
  list      prints each dead letter: where it came from, the stage, the reason, the attempt and its value
  replay    sends each dead letter's event back to its original topic, its attempt raised by one
options:
  --since <time>             only those dead-lettered since an ISO time or a duration ago (30m, 6h, 2d)
  --limit <n>                list: the last n only
  --stage <name>             only those of one stage (analytics, router, metering...)
  --reason-contains <text>   only those whose reason holds the text
  --value-chars <n>          list: characters of each value shown (default 300)
  --brokers <host:port,...>  Kafka (default: KAFKA_BROKERS, or infra/.env)
  --topic <name>             the dead-letter topic (default ${TOPICS.deadLetter})
  --data-dir <dir>           embedded mode: read <dir>/${DEAD_LETTER_FILE} instead of Kafka (list only)`;

export class UsageError extends Error {}

export interface DeadLetter {
  /** topic:partition:offset on Kafka; the file's line number in embedded mode. */
  address: string;
  at: Date;
  key: string;
  headers: Record<string, string>;
  value: Buffer;
}

interface Filters {
  since?: Date;
  stage?: string;
  reasonContains?: string;
}

export async function runDeadLetterCommand(argv: string[], print: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        since: { type: 'string' },
        limit: { type: 'string' },
        stage: { type: 'string' },
        'reason-contains': { type: 'string' },
        'value-chars': { type: 'string' },
        brokers: { type: 'string' },
        topic: { type: 'string' },
        'data-dir': { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (positionals.length !== 1 || (command !== 'list' && command !== 'replay')) throw new UsageError(USAGE);
  const filters: Filters = { since: values.since === undefined ? undefined : sinceOf(values.since), stage: values.stage, reasonContains: values['reason-contains'] };
  const limit = values.limit === undefined ? undefined : countOf('--limit', values.limit);
  const valueChars = values['value-chars'] === undefined ? 300 : countOf('--value-chars', values['value-chars']);
  const topic = values.topic ?? TOPICS.deadLetter;

  const dataDir = values['data-dir'];
  if (dataDir !== undefined && command === 'replay') throw new UsageError('replay needs Kafka: the embedded gateway has no topic to send dead letters back to (see docs/dead-letter.md)');
  const brokers = (values.brokers ?? env.KAFKA_BROKERS ?? infraEnvFile().KAFKA_BROKERS ?? '').split(',').map((broker) => broker.trim()).filter(Boolean);
  if (dataDir === undefined && brokers.length === 0) throw new UsageError('no Kafka brokers: set KAFKA_BROKERS, pass --brokers, run `npm run infra:up`, or pass --data-dir for the embedded gateway');
  const kafka = dataDir === undefined ? new Kafka({ clientId: 'switchyard-dead-letter', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3000 }) : undefined;
  const found = matching(kafka ? await readTopic(kafka, topic) : readDeadLetterFile(path.join(dataDir!, DEAD_LETTER_FILE)), filters);
  if (command === 'replay') return replay(kafka!, found, print);
  const shown = limit === undefined ? found : found.slice(Math.max(0, found.length - limit));
  for (const letter of shown) print(describeDeadLetter(letter, valueChars));
  print(`${shown.length} dead letter${shown.length === 1 ? '' : 's'}`);
}

function sinceOf(text: string): Date {
  const duration = /^(\d+)([mhd])$/.exec(text);
  if (duration) return new Date(Date.now() - Number(duration[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[duration[2] as 'm' | 'h' | 'd']);
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw new UsageError(`--since ${text} is neither an ISO time nor a duration such as 30m, 6h or 2d`);
  return at;
}

function countOf(option: string, text: string): number {
  const count = Number(text);
  if (!Number.isInteger(count) || count < 0) throw new UsageError(`${option} ${text} is not a whole number`);
  return count;
}

function matching(deadLetters: DeadLetter[], { since, stage, reasonContains }: Filters): DeadLetter[] {
  return deadLetters
    .filter(
      (letter) =>
        (since === undefined || letter.at >= since) &&
        (stage === undefined || letter.headers[DEAD_LETTER_HEADERS.stage] === stage) &&
        (reasonContains === undefined || (letter.headers[DEAD_LETTER_HEADERS.reason] ?? '').includes(reasonContains)),
    )
    .sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** How a dead letter is listed: where it is, where it came from and why, then its value, cut. */
export function describeDeadLetter(letter: DeadLetter, valueChars: number): string {
  const h = (name: keyof typeof DEAD_LETTER_HEADERS) => letter.headers[DEAD_LETTER_HEADERS[name]] ?? '?';
  const value = letter.value.toString('utf8');
  const shown = value.length > valueChars ? `${value.slice(0, valueChars)}… (${letter.value.length} bytes)` : value;
  return [
    `${letter.at.toISOString()} ${letter.address} key=${letter.key}`,
    `  from ${h('originalTopic')} partition ${h('originalPartition')} offset ${h('originalOffset')}; stage ${h('stage')}, attempt ${h('attempts')}`,
    `  reason: ${h('reason')}`,
    `  value: ${shown}`,
  ].join('\n');
}

function readDeadLetterFile(file: string): DeadLetter[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, index) => {
      if (line.trim() === '') return [];
      const record = JSON.parse(line) as DeadLetterRecord;
      return [{ address: `${path.basename(file)}:${index + 1}`, at: new Date(record.at), key: record.key, headers: record.headers, value: Buffer.from(record.value) }];
    });
}

/** Every message of the topic, read from the beginning to where it ends now, without committing offsets. */
export async function readTopic(kafka: Kafka, topic: string): Promise<DeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  const group = `switchyard-dead-letter-cli-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 200 });
  try {
    const offsets = await admin.fetchTopicOffsets(topic).catch((error) => {
      throw new Error(`cannot read ${topic}: ${error.message}`);
    });
    const ends = new Map(offsets.filter((partition) => BigInt(partition.high) > BigInt(partition.low)).map((partition) => [partition.partition, BigInt(partition.high)]));
    const found: DeadLetter[] = [];
    if (ends.size === 0) return found;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${topic} was not read to its end within ${READ_TIMEOUT_MS / 1000} s`)), READ_TIMEOUT_MS);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition);
            if (end === undefined || BigInt(message.offset) >= end) return;
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {})) if (value !== undefined) headers[name] = String(Array.isArray(value) ? value[0] : value);
            found.push({
              address: deadLetterAddress({ topic, partition, offset: message.offset }),
              at: new Date(Number(message.timestamp)),
              key: message.key?.toString() ?? '',
              headers,
              value: message.value ?? Buffer.alloc(0),
            });
            if (BigInt(message.offset) + 1n >= end) ends.delete(partition);
            if (ends.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    return found;
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([group]).catch(() => undefined);
    await admin.disconnect();
  }
}

const READ_TIMEOUT_MS = 60_000;

async function replay(kafka: Kafka, deadLetters: DeadLetter[], print: (line: string) => void): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (const letter of deadLetters) {
      const topic = letter.headers[DEAD_LETTER_HEADERS.originalTopic];
      if (!topic) {
        print(`skipped ${letter.address}: it names no original topic`);
        continue;
      }
      const headers = replayHeaders(letter.headers, letter.address);
      await producer.send({ topic, messages: [{ key: letter.key, value: letter.value, headers }] });
      print(`replayed ${letter.address} to ${topic} (attempt ${headers[DEAD_LETTER_HEADERS.attempts]})`);
    }
    print(`${deadLetters.length} dead letter${deadLetters.length === 1 ? '' : 's'} matched`);
  } finally {
    await producer.disconnect();
  }
}
