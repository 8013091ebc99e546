// The distributed gateway's metrics, read from each service's own metrics port, and the consumer lag
// the services poll from Kafka.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import {
  chatOverHttp,
  describeGatewayMetrics,
  e2eConfigYaml,
  eventually,
  scrapeMetrics,
  startDistributedGateway,
  startOpenAIUpstream,
  valueOf,
  E2E_UPSTREAM_KEY,
  type OpenAIUpstream,
  type RunningDistributedGateway,
} from '@switchyard/testing';

jest.setTimeout(240_000);

function writeConfig(yaml: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-config-')), 'switchyard.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

const metricsUrlsOf = (gateway: RunningDistributedGateway) => Object.values(gateway.metricsAddresses).flat().map((address) => `http://${address}/metrics`);

describeGatewayMetrics('distributed, a metrics port per service', async (configYaml, env) => {
  const gateway = await startDistributedGateway({ SWITCHYARD_CONFIG: writeConfig(configYaml), ...env });
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  return {
    httpUrl: `http://${gateway.httpAddress}`,
    metricsUrls: metricsUrlsOf(gateway),
    query: async (sql, params) => (await db.query(sql, params)).rows,
    stop: async () => {
      await db.end();
      await gateway.stop();
    },
  };
});

describe('consumer lag', () => {
  let upstream: OpenAIUpstream;
  let gateway: RunningDistributedGateway;

  beforeAll(async () => {
    upstream = await startOpenAIUpstream();
    gateway = await startDistributedGateway({
      SWITCHYARD_CONFIG: writeConfig(e2eConfigYaml(upstream.baseUrl)),
      E2E_OPENAI_KEY: E2E_UPSTREAM_KEY,
      METRICS_LAG_INTERVAL_MS: '200',
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('serves every service its own /metrics, with Node process metrics and the lag of every stage', async () => {
    const groups = ['switchyard-analytics', 'switchyard-guardrail', 'switchyard-metering', 'switchyard-provider-worker', 'switchyard-router'];
    for (const [service, [address]] of Object.entries(gateway.metricsAddresses)) {
      const samples = await eventually(async () => {
        const scraped = await scrapeMetrics(`http://${address}/metrics`);
        return [...scraped.values()].some((sample) => sample.name === 'switchyard_kafka_consumer_lag') ? scraped : undefined;
      }, `${service}'s lag metrics`);
      const reported = new Set([...samples.values()].filter((sample) => sample.name === 'switchyard_kafka_consumer_lag').map((sample) => sample.labels.group));
      expect([service, [...reported].sort(), valueOf(samples, 'nodejs_heap_size_used_bytes') > 0]).toEqual([service, groups, true]);
    }
  });

  it('rises while a consumer is stopped and falls when it resumes', async () => {
    // Metering reports the analytics group's lag; analytics itself is the consumer stopped.
    const meteringMetrics = `http://${gateway.metricsAddresses.metering[0]}/metrics`;
    const analyticsLag = async () => valueOf(await scrapeMetrics(meteringMetrics), 'switchyard_kafka_consumer_lag', { group: 'switchyard-analytics', topic: 'switchyard.usage' });
    await eventually(async () => ((await analyticsLag()) === 0 ? true : undefined), 'no lag before the consumer stops');
    gateway.signal('analytics', 'SIGSTOP');
    try {
      const statuses = await Promise.all(Array.from({ length: 7 }, (_, index) => chatOverHttp(`http://${gateway.httpAddress}`, 'upstream-gpt', `lag ${index}`).then((response) => response.status)));
      expect(statuses).toEqual(Array.from({ length: 7 }, () => 200));
      expect(await eventually(async () => ((await analyticsLag()) === 7 ? 7 : undefined), 'the lag of the 7 usage events')).toBe(7);
    } finally {
      gateway.signal('analytics', 'SIGCONT');
    }
    expect(await eventually(async () => ((await analyticsLag()) === 0 ? 0 : undefined), 'the lag to fall back to 0', 60_000)).toBe(0);
  });
});
