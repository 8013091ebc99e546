// `npx tsx bench/src/event-bytes.ts [--prompt-bytes=2048] [--requests=100] [--stream=false]`: the bytes
// one request puts on each topic of the pipeline, as the JSON that Kafka carries (KafkaBus encodes each
// event so), counted on the embedded gateway's in-memory bus, which carries the same events as objects
// between the same stages. The bench's config and mock upstream, as profile.ts runs them. A figure
// free of the machine's noise, beside profile.ts' CPU per request.
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPLY_TOPIC_PREFIX } from '@switchyard/contracts';
import { createLogger } from '@switchyard/telemetry';
import { startEmbeddedGateway } from '../../apps/embedded/src/embedded-gateway';
import { httpChatClient } from './load';
import { padPromptsTo } from './mock-protocol';
import { freePort } from './services';
import { SWITCHYARD_MODEL, startMockUpstream, writeSwitchyardConfig } from './systems';

const argument = (name: string, fallback: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;

async function main(): Promise<void> {
  const promptBytes = Number(argument('prompt-bytes', '2048'));
  const requests = Number(argument('requests', '100'));
  const stream = argument('stream', 'false') === 'true';
  padPromptsTo(promptBytes);
  const mock = await startMockUpstream();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-event-bytes-'));
  const httpAddress = `127.0.0.1:${await freePort()}`;
  const gateway = await startEmbeddedGateway({
    configFile: writeSwitchyardConfig(mock.baseUrl),
    grpcAddress: `127.0.0.1:${await freePort()}`,
    httpAddress,
    dataDir,
    logger: createLogger('event-bytes', 'warn'),
    env: { ...process.env, BENCH_UPSTREAM_KEY: 'sk-bench' },
  });
  const bytes = new Map<string, { messages: number; bytes: number }>();
  const publish = gateway.bus.publish.bind(gateway.bus);
  gateway.bus.publish = (topic, messages) => {
    const name = topic.startsWith(REPLY_TOPIC_PREFIX) ? `${REPLY_TOPIC_PREFIX}<ingress>` : topic;
    const counted = bytes.get(name) ?? { messages: 0, bytes: 0 };
    for (const message of messages) {
      counted.messages++;
      counted.bytes += Buffer.isBuffer(message.value) ? message.value.length : Buffer.byteLength(JSON.stringify(message.value));
    }
    bytes.set(name, counted);
    return publish(topic, messages);
  };
  const client = httpChatClient({ baseUrl: `http://${httpAddress}/v1`, model: SWITCHYARD_MODEL });
  try {
    for (let i = 0; i < requests; i++) await (stream ? client.streamFirstChunkMs() : client.chat(0));
    // The usage rows follow the answers on the bus; let the last be published.
    await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    client.close();
    await gateway.stop();
    await mock.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`${requests} ${stream ? 'streamed' : 'unstreamed'} chat requests with a ${promptBytes}-byte prompt to ${SWITCHYARD_MODEL}: bytes of JSON a request, by topic`);
  let total = 0;
  for (const [topic, counted] of [...bytes.entries()].sort()) {
    total += counted.bytes;
    console.log(`  ${topic.padEnd(34)} ${(counted.messages / requests).toFixed(2).padStart(6)} messages ${(counted.bytes / requests).toFixed(0).padStart(7)} bytes`);
  }
  console.log(`  ${'all topics'.padEnd(34)} ${''.padStart(15)} ${(total / requests).toFixed(0).padStart(7)} bytes`);
}

void main();
