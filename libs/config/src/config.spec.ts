import { buildModelCatalog } from './catalog';
import { KEY_ID_SECRET_MIN_LENGTH, readServiceEnv, shutdownGraceMsOf } from './env';
import { ConfigError, loadGatewayConfig, parseGatewayConfig, type ProviderKeys } from './load';

// The adapters' own keys as libs/providers lists them (this library cannot depend on it).
const adapterKeys: ProviderKeys = (kind) => ({ mock: ['latency_ms'], openai: ['organization', 'project'] })[kind];

describe('gateway configuration', () => {
  it('loads the default file', () => {
    const config = loadGatewayConfig();
    expect(config.models.map((model) => model.name)).toContain('mock-echo');
    expect(config.limits.max_request_bytes).toBeGreaterThan(0);
    expect(config.provider_calls).toEqual({ max_in_flight_per_route: 256, max_queued_per_route: 256 });
  });

  it.each([
    ['models: [', /not valid YAML/],
    ['models: []', /models: Too small/i],
    ['models: [{ name: a }]', /models\.0\.provider/],
    ['models: [{ name: a, provider: mock }]\nprovider_calls: { max_in_flight_per_route: 0 }', /provider_calls\.max_in_flight_per_route/],
    ['models: [{ name: a, provider: mock }, { name: a, provider: mock }]', /model a is configured twice/],
  ])('says what is wrong with %j', (text, message) => {
    expect(() => parseGatewayConfig(text, 'test.yaml')).toThrow(ConfigError);
    expect(() => parseGatewayConfig(text, 'test.yaml')).toThrow(message);
  });

  it('reads a model\'s route, and today\'s provider and upstream_model as a route of one target', () => {
    const config = parseGatewayConfig(`
models:
  - { name: one, provider: openai, upstream_model: gpt-4o-mini }
  - name: chat
    route:
      fallback:
        - loadbalance: { strategy: weighted, targets: [{ target: openai/gpt-4o-mini, weight: 3 }, { target: azure-eu/gpt-4o-mini, weight: 1 }] }
        - { target: anthropic/claude-haiku-4-5, retry: { attempts: 3 } }
providers: { openai: {}, azure-eu: { kind: azure-openai }, anthropic: {} }`);
    expect(config.models[0].route).toMatchObject({ kind: 'target', path: 'models.0', key: 'openai/gpt-4o-mini', retry: { attempts: 1 } });
    expect(config.models[1].route).toMatchObject({ kind: 'fallback', path: 'models.1.route', nodes: [{ kind: 'loadbalance', weights: [3, 1] }, { kind: 'target', retry: { attempts: 3 } }] });
    expect(buildModelCatalog(config, {}).get('chat')).toMatchObject({ provider: 'openai', upstream_model: 'gpt-4o-mini', enabled: true });
  });

  it.each([
    ['an unknown provider block', 'models: [{ name: a, route: { fallback: [{ target: nope/m }] } }]', 'test.yaml: models.0.route.fallback.0.target: unknown provider block "nope"; configure it under providers (model a)'],
    ['both provider and route', 'models: [{ name: a, provider: mock, route: { target: mock/m } }]', 'test.yaml: models.0.provider: give either route or provider and upstream_model, not both'],
    [
      'a target lacking a capability the model declares',
      'models: [{ name: e, provider: mock, upstream_model: m, capabilities: [chat] }, { name: a, capabilities: [chat, tools], route: { target: mock/m } }]',
      'test.yaml: models.1.route.target: mock/m does not offer tools, which the model declares (model a)',
    ],
  ])('refuses a route with %s at load', (_name, text, message) => {
    expect(() => parseGatewayConfig(text, 'test.yaml')).toThrow(message);
  });

  it.each([
    ['a typo in a provider block', 'models: [{ name: a, provider: mock }]\nproviders: { openai: { api_key_evn: OPENAI_API_KEY } }', 'test.yaml: providers.openai.api_key_evn: unknown key; a openai block takes kind, base_url, api_key_env, organization, project'],
    ['a top-level block misspelt', 'models: [{ name: a, provider: mock }]\nprovider_call: { max_in_flight_per_route: 4 }', 'test.yaml: provider_call: unknown key'],
    ['a model key misspelt', 'models: [{ name: a, provider: mock, capabilites: [chat] }]', 'test.yaml: models.0.capabilites: unknown key'],
    ['a block misplaced under limits', 'models: [{ name: a, provider: mock }]\nlimits: { guardrail: { rules: [] } }', 'test.yaml: limits.guardrail: unknown key'],
    ['a key under provider_calls', 'models: [{ name: a, provider: mock }]\nprovider_calls: { max_in_flight: 4 }', 'test.yaml: provider_calls.max_in_flight: unknown key'],
    ['a key under guardrail', 'models: [{ name: a, provider: mock }]\nguardrail: { rule: [mask_email] }', 'test.yaml: guardrail.rule: unknown key'],
    ['a key under auth', 'models: [{ name: a, provider: mock }]\nauth: { api_keys_env: K, api_key: sk-1 }', 'test.yaml: auth.api_key: unknown key'],
    ['a key of a price', 'models: [{ name: a, provider: mock }]\npricing: { mock/a: { input_per_mtok: 1, output_per_mtok: 2, cached_per_mtok: 0 } }', 'test.yaml: pricing.mock/a.cached_per_mtok: unknown key'],
    ['a key in a route tree', 'models: [{ name: a, route: { fallback: [{ target: mock/a, retries: { attempts: 2 } }] } }]\nproviders: { mock: {} }', 'test.yaml: models.0.route.fallback.0.retries: unknown key (model a)'],
    ['a key in a route\'s retry', 'models: [{ name: a, route: { target: mock/a, retry: { attempt: 2 } } }]\nproviders: { mock: {} }', 'test.yaml: models.0.route.retry.attempt: unknown key (model a)'],
    ['a block of no adapter', 'models: [{ name: a, provider: mock }]\nproviders: { azure-eu: { base_url: "https://x.example" } }', 'test.yaml: providers.azure-eu: no adapter named "azure-eu"'],
    ['a kind of no adapter', 'models: [{ name: a, provider: mock }]\nproviders: { eu: { kind: azure } }', 'test.yaml: providers.eu.kind: no adapter named "azure"'],
    ['a model\'s provider of no adapter', 'models: [{ name: a, provider: mokc }]', 'test.yaml: models.0.provider: no adapter named "mokc"; configure a block for it under providers'],
  ])('refuses %s at load, naming its path in the file', (_name, text, message) => {
    expect(() => parseGatewayConfig(text, 'test.yaml', adapterKeys)).toThrow(message);
  });

  it('takes a provider block whose keys its adapter takes, under another name with kind', () => {
    const config = parseGatewayConfig('models: [{ name: a, provider: eu }]\nproviders: { eu: { kind: openai, base_url: "https://x.example/v1", project: p } }', 'test.yaml', adapterKeys);
    expect(config.providers.eu).toEqual({ kind: 'openai', base_url: 'https://x.example/v1', project: 'p' });
  });

  it('serves a model only when its provider has its key', () => {
    const config = parseGatewayConfig('models: [{ name: g, provider: openai, capabilities: [chat] }]\nproviders: { openai: { api_key_env: K } }');
    expect(buildModelCatalog(config, {}).get('g')).toMatchObject({ enabled: false, disabled_reason: 'provider openai is not enabled: set K' });
    expect(buildModelCatalog(config, { K: 'sk' }).get('g')).toMatchObject({ enabled: true, upstream_model: 'g', capabilities: { chat: true, streaming: false } });
  });
});

describe('service environment', () => {
  it('reads defaults and lists', () => {
    expect(readServiceEnv({ KAFKA_BROKERS: 'a:1, b:2' })).toMatchObject({ grpcAddress: '127.0.0.1:50051', kafkaBrokers: ['a:1', 'b:2'], dataDir: './data' });
  });

  it('reads the brokers\' message size limit, and refuses one that is not a number of bytes', () => {
    expect(readServiceEnv({}).kafkaMaxMessageBytes).toBeUndefined();
    expect(readServiceEnv({ KAFKA_MAX_MESSAGE_BYTES: '16777216' }).kafkaMaxMessageBytes).toBe(16_777_216);
    expect(() => readServiceEnv({ KAFKA_MAX_MESSAGE_BYTES: '16MB' })).toThrow('KAFKA_MAX_MESSAGE_BYTES is "16MB"; expected a whole number of bytes, such as 1048576');
  });

  it('serves no SQL port unless asked, and none without a password', () => {
    expect(readServiceEnv({}).sql).toBeUndefined();
    expect(readServiceEnv({ GATEWAY_SQL_PASSWORD: 'pw' }).sql).toBeUndefined();
    expect(readServiceEnv({ GATEWAY_SQL_ADDR: '127.0.0.1:0', GATEWAY_SQL_PASSWORD: 'pw' }).sql).toEqual({ address: '127.0.0.1:0', password: 'pw' });
    expect(() => readServiceEnv({ GATEWAY_SQL_ADDR: '127.0.0.1:54320' })).toThrow(
      'GATEWAY_SQL_ADDR asks for the SQL port on 127.0.0.1:54320, but GATEWAY_SQL_PASSWORD is not set; set the password clients must give (psql prompts for it), or unset GATEWAY_SQL_ADDR',
    );
  });

  it('reads the api_key_id secret, and refuses one short enough to guess', () => {
    const secret = 'k'.repeat(KEY_ID_SECRET_MIN_LENGTH);
    expect(readServiceEnv({}).keyIdSecret).toBeUndefined();
    expect(readServiceEnv({ GATEWAY_KEY_ID_SECRET: secret }).keyIdSecret).toBe(secret);
    expect(() => readServiceEnv({ GATEWAY_KEY_ID_SECRET: 'hunter2' })).toThrow(`GATEWAY_KEY_ID_SECRET is 7 characters; use at least ${KEY_ID_SECRET_MIN_LENGTH}`);
  });

  it('reads the Kafka settings of a production cluster and the shutdown grace period, refusing what is not a whole number', () => {
    expect(readServiceEnv({}).kafka).toEqual({ partitions: undefined, replicationFactor: undefined, sessionTimeoutMs: undefined, heartbeatIntervalMs: undefined, idempotent: false });
    expect(readServiceEnv({}).shutdownGraceMs).toBe(15_000);
    expect(
      readServiceEnv({ KAFKA_PARTITIONS: '24', KAFKA_REPLICATION_FACTOR: '3', KAFKA_SESSION_TIMEOUT_MS: '8000', KAFKA_HEARTBEAT_INTERVAL_MS: '1000', KAFKA_IDEMPOTENT_PRODUCER: 'true', SHUTDOWN_GRACE_MS: '30000' }),
    ).toMatchObject({ kafka: { partitions: 24, replicationFactor: 3, sessionTimeoutMs: 8000, heartbeatIntervalMs: 1000, idempotent: true }, shutdownGraceMs: 30_000 });
    expect(() => readServiceEnv({ KAFKA_REPLICATION_FACTOR: 'three' })).toThrow('KAFKA_REPLICATION_FACTOR is "three"; expected a whole number of replicas, such as 3');
    expect(() => shutdownGraceMsOf({ SHUTDOWN_GRACE_MS: '15s' })).toThrow('SHUTDOWN_GRACE_MS is "15s"; expected a whole number of milliseconds, such as 15000');
  });
});
