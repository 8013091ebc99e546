import { GatewayMetrics, OTHER_LABEL, serveMetrics } from './metrics';
import { createLogger } from './logger';

const sampleLines = async (metrics: GatewayMetrics, name: string) =>
  (await metrics.exposition()).body.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

describe('gateway metrics', () => {
  it('a mistyped model name mints no series of its own: models the configuration does not name are one value', async () => {
    const metrics = new GatewayMetrics({});
    metrics.configure({ models: ['gpt-4o'] });
    metrics.requestAnswered('gpt-4o', 'openai', 'ok', undefined, 'key_1', 0.2);
    metrics.requestAnswered('gpt-4o-mistyped', undefined, 'error', 'model_not_found', 'key_1', 0.001);
    metrics.requestAnswered('gtp-4o', undefined, 'error', 'model_not_found', 'key_1', 0.001);
    expect(await sampleLines(metrics, 'switchyard_requests_total')).toEqual([
      'switchyard_requests_total{model="gpt-4o",provider="openai",status="ok",error_code=""} 1',
      `switchyard_requests_total{model="${OTHER_LABEL}",provider="",status="error",error_code="model_not_found"} 2`,
    ]);
  });

  it('labels requests, tokens and cost by key only when METRICS_KEY_LABEL=true', async () => {
    const keyed = new GatewayMetrics({ METRICS_KEY_LABEL: 'true' });
    const plain = new GatewayMetrics({});
    for (const metrics of [keyed, plain]) {
      metrics.configure({ models: ['m'] });
      metrics.metered('m', 'p', 'key_abc', { input: 10, output: 4, cached: 0, costUsd: 0.5 }, 0.002);
    }
    expect(await sampleLines(keyed, 'switchyard_cost_usd_total')).toEqual(['switchyard_cost_usd_total{model="m",provider="p",key="key_abc"} 0.5']);
    expect(await sampleLines(plain, 'switchyard_tokens_total')).toEqual([
      'switchyard_tokens_total{model="m",provider="p",type="input"} 10',
      'switchyard_tokens_total{model="m",provider="p",type="output"} 4',
    ]);
  });

  it('writes histograms with cumulative buckets, their sum and count', async () => {
    const metrics = new GatewayMetrics({});
    metrics.configure({ models: ['m'] });
    metrics.providerCalled('m', 'p', true, 0.015, 0.005);
    metrics.providerCalled('m', 'p', true, 100);
    const lines = await sampleLines(metrics, 'switchyard_provider_duration_seconds_bucket');
    expect(lines.filter((line) => /le="(0\.01|0\.02|81\.92|\+Inf)"/.test(line))).toEqual([
      'switchyard_provider_duration_seconds_bucket{model="m",provider="p",status="ok",le="0.01"} 0',
      'switchyard_provider_duration_seconds_bucket{model="m",provider="p",status="ok",le="0.02"} 1',
      'switchyard_provider_duration_seconds_bucket{model="m",provider="p",status="ok",le="81.92"} 1',
      'switchyard_provider_duration_seconds_bucket{model="m",provider="p",status="ok",le="+Inf"} 2',
    ]);
    expect(await sampleLines(metrics, 'switchyard_provider_duration_seconds_sum')).toEqual(['switchyard_provider_duration_seconds_sum{model="m",provider="p",status="ok"} 100.015']);
    expect(await sampleLines(metrics, 'switchyard_time_to_first_chunk_seconds_count')).toEqual(['switchyard_time_to_first_chunk_seconds_count{model="m",provider="p"} 1']);
  });

  it('keeps a bounded number of values of a label fed from outside, folding the rest', async () => {
    const metrics = new GatewayMetrics({});
    for (let index = 0; index < 250; index++) metrics.deadLetters.inc([metrics.stage(`stage-${index}`)]);
    const lines = await sampleLines(metrics, 'switchyard_dead_letters_total');
    expect([lines.length, lines.at(-1)]).toEqual([201, `switchyard_dead_letters_total{stage="${OTHER_LABEL}"} 50`]);
  });

  it('reports breakers by target, a closed one as 0 once it was open, and the latest consumer lag only', async () => {
    const metrics = new GatewayMetrics({});
    let open = true;
    metrics.watchBreakers(() => (open ? [{ target: 'a/m', health: 'open' }] : []));
    expect(await sampleLines(metrics, 'switchyard_breaker_state')).toEqual(['switchyard_breaker_state{target="a/m"} 2']);
    open = false;
    expect(await sampleLines(metrics, 'switchyard_breaker_state')).toEqual(['switchyard_breaker_state{target="a/m"} 0']);
    metrics.setConsumerLag([{ group: 'g', topic: 't', partition: 0, lag: 5 }, { group: 'g', topic: 't', partition: 1, lag: 0 }]);
    metrics.setConsumerLag([{ group: 'g', topic: 't', partition: 1, lag: 3 }]);
    expect(await sampleLines(metrics, 'switchyard_kafka_consumer_lag')).toEqual(['switchyard_kafka_consumer_lag{group="g",topic="t",partition="1"} 3']);
  });

  it('serves the process metrics at GET /metrics, and nothing else', async () => {
    const server = await serveMetrics('127.0.0.1:0', createLogger('metrics-test', 'error'));
    try {
      const response = await fetch(server.url);
      const body = await response.text();
      expect([response.status, response.headers.get('content-type'), /^process_cpu_seconds_total \d/m.test(body)]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8', true]);
      expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});
