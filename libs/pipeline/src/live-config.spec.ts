import * as fs from 'node:fs';
import { InMemoryBus } from '@switchyard/bus';
import { ConfigError, DEFAULT_CONFIG_PATH, LiveConfig, parseGatewayConfig } from '@switchyard/config';
import { createLogger } from '@switchyard/telemetry';
import { liveStage, parseServedConfig } from './live-config';
import { runStage, type Stage } from './stage';

interface Tagged {
  request_id: string;
  config_version?: string;
}

/** A stage that answers with the name of the only model of the configuration it was made from. */
function stageOf(model: string): Stage<Tagged> {
  return {
    name: 'tagger',
    input: 'in',
    group: 'taggers',
    parse: (value) => value as Tagged,
    handle: (event) => [{ topic: 'out', key: event.request_id, value: { request_id: event.request_id, model } }],
    onFailure: () => [],
  };
}

const configOf = (model: string) => `models: [{ name: ${model}, provider: mock }]\n`;

describe('parseServedConfig', () => {
  it('takes the shipped configuration: every key it uses is known', () => {
    const config = parseServedConfig(fs.readFileSync(DEFAULT_CONFIG_PATH, 'utf8'), DEFAULT_CONFIG_PATH);
    expect(config.models.map((model) => model.name)).toContain('mock-echo');
  });

  it('refuses a key the block\'s adapter does not take, which the schema alone lets through', () => {
    const text = 'models: [{ name: a, provider: bedrock }]\nproviders: { bedrock: { region: eu-west-1, secret_key_evn: S } }\n';
    expect(parseGatewayConfig(text, 'b.yaml').providers.bedrock).toEqual({ region: 'eu-west-1', secret_key_evn: 'S' });
    expect(() => parseServedConfig(text, 'b.yaml')).toThrow(ConfigError);
    expect(() => parseServedConfig(text, 'b.yaml')).toThrow('b.yaml: providers.bedrock.secret_key_evn: unknown key; a bedrock block takes kind, base_url, api_key_env, region, secret_key_env, session_token_env');
  });
});

describe('liveStage', () => {
  it('handles each event on the configuration version it carries, and one carrying none (or one not kept) on the current', async () => {
    const live = new LiveConfig({ parse: parseServedConfig, derive: (config) => stageOf(config.models[0].name) }, { text: configOf('first'), source: 'a.yaml' });
    const first = live.current.config_version;
    const bus = new InMemoryBus();
    const out: unknown[] = [];
    await bus.subscribe({ topic: 'out', group: 'collector', handleBatch: async (messages) => void out.push(...messages.map((message) => message.value)) });
    await runStage(bus, liveStage((version) => live.at(version).view, (event) => event.config_version), { logger: createLogger('live-stage-test', 'error') });
    expect(live.apply(configOf('second'), 'b.yaml').outcome).toBe('applied');
    await bus.publish('in', [
      { key: 'a', value: { request_id: 'a', config_version: first } },
      { key: 'b', value: { request_id: 'b' } },
      { key: 'c', value: { request_id: 'c', config_version: 'not-a-version-kept' } },
    ]);
    for (let waited = 0; out.length < 3 && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(out).toEqual([
      { request_id: 'a', model: 'first' },
      { request_id: 'b', model: 'second' },
      { request_id: 'c', model: 'second' },
    ]);
    await bus.close();
  });
});
