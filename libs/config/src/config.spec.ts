import { DEFAULT_BREAKER } from '@switchyard/routing';
import { breakerSettingsOf, buildModelCatalog, cachesOf } from './catalog';
import { analyzeModelsOf } from './schema';
import { healthAddressOf, KEY_ID_SECRET_MIN_LENGTH, parseAddress, readServiceEnv, shutdownGraceMsOf } from './env';
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

  it('takes the Analyze default models it names over the built-in ones, and refuses an unknown task type or an unconfigured model', () => {
    const config = parseGatewayConfig('models: [{ name: a, provider: mock }]\nanalyze: { default_models: { sentiment: a } }', 'test.yaml');
    expect(analyzeModelsOf(config)).toEqual({ answer: 'mock-echo', describe_image: 'mock-vision', sentiment: 'a', moderation: 'mock-moderation', summarize: 'mock-echo', translate: 'mock-echo', extract: 'mock-echo' });
    expect(analyzeModelsOf(loadGatewayConfig())).toMatchObject({ describe_image: 'mock-vision', sentiment: 'mock-sentiment', moderation: 'mock-moderation' });
    expect(() => parseGatewayConfig('models: [{ name: a, provider: mock }]\nanalyze: { default_models: { poetry: a } }', 'test.yaml')).toThrow(/analyze\.default_models/);
    expect(() => parseGatewayConfig('models: [{ name: a, provider: mock }]\nanalyze: { default_models: { sentiment: b } }', 'test.yaml')).toThrow('test.yaml: analyze.default_models.sentiment: b is not a configured model');
  });

  it('reads a model\'s cache with its defaults, and refuses keys and values it does not know', () => {
    const config = parseGatewayConfig('models: [{ name: a, provider: mock, cache: { ttl_s: 60, scope: team } }, { name: b, provider: mock }]', 'test.yaml');
    expect(cachesOf(config)('a')).toEqual({ mode: 'exact', ttl_s: 60, max_entry_bytes: 262_144, scope: 'team', deterministic_only: true, threshold: 0.95 });
    expect(cachesOf(config)('b')).toBeUndefined();
    expect(() => parseGatewayConfig('models: [{ name: a, provider: mock, cache: { ttl: 60 } }]', 'test.yaml')).toThrow(/models\.0\.cache.*ttl/s);
    expect(() => parseGatewayConfig('models: [{ name: a, provider: mock, cache: { scope: user } }]', 'test.yaml')).toThrow(/models\.0\.cache\.scope/);
    expect(() => parseGatewayConfig('models: [{ name: a, provider: mock, cache: { ttl_s: 0 } }]', 'test.yaml')).toThrow(/models\.0\.cache\.ttl_s/);
    expect(() => parseGatewayConfig('models: [{ name: a, provider: mock, cache: { mode: semantic } }]', 'test.yaml')).toThrow(/models\.0\.cache\.embed_model: embed_model is required with mode semantic/);
    expect(() => parseGatewayConfig('models: [{ name: a, provider: mock, cache: { mode: semantic, embed_model: a } }]', 'test.yaml')).toThrow(/models\.0\.cache\.embed_model: a is not a configured model with the embeddings capability/);
    const semantic = parseGatewayConfig('models: [{ name: a, provider: mock, cache: { mode: semantic, embed_model: e, threshold: 0.9 } }, { name: e, provider: mock, capabilities: [embeddings] }]', 'test.yaml');
    expect(cachesOf(semantic)('a')).toMatchObject({ mode: 'semantic', embed_model: 'e', threshold: 0.9 });
  });

  it('reads the keys\' and teams\' cache policies, none by default, and refuses a setting that would widen a model\'s cache', () => {
    expect(parseGatewayConfig('models: [{ name: a, provider: mock }]', 'test.yaml').cache_policies).toEqual({ keys: {}, teams: {} });
    const config = parseGatewayConfig('models: [{ name: a, provider: mock }]\ncache_policies: { keys: { batch: { enabled: false } }, teams: { research: { scope: team, threshold: 0.99 } } }', 'test.yaml');
    expect(config.cache_policies).toEqual({ keys: { batch: { enabled: false } }, teams: { research: { scope: 'team', threshold: 0.99 } } });
    const refused = (policy: string) => () => parseGatewayConfig(`models: [{ name: a, provider: mock }]\ncache_policies: { keys: { batch: ${policy} } }`, 'test.yaml');
    expect(refused('{ enabled: true }')).toThrow(/cache_policies\.keys\.batch\.enabled/);
    expect(refused('{ scope: global }')).toThrow(/cache_policies\.keys\.batch\.scope/);
    expect(refused('{ mode: semantic }')).toThrow(/cache_policies\.keys\.batch\.mode/);
    expect(refused('{ ttl_s: 60 }')).toThrow(/cache_policies\.keys\.batch\.ttl_s: unknown key/);
    expect(() => parseGatewayConfig('models: [{ name: a, provider: mock }]\ncache_policies: { users: {} }', 'test.yaml')).toThrow(/cache_policies\.users: unknown key/);
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
    const keys = { OPENAI_API_KEY: 'sk-o', AZURE_OPENAI_API_KEY: 'az', ANTHROPIC_API_KEY: 'sk-a' };
    expect(buildModelCatalog(config, keys).get('chat')).toMatchObject({ provider: 'openai', upstream_model: 'gpt-4o-mini', enabled: true });
    expect(buildModelCatalog(config, { ANTHROPIC_API_KEY: 'sk-a' }).get('chat')).toMatchObject({ provider: 'anthropic', upstream_model: 'claude-haiku-4-5', enabled: true });
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
    ['a key under a virtual key\'s guardrails', 'models: [{ name: a, provider: mock }]\nguardrails: { keys: { batch-app: { inputs: [] } } }', 'test.yaml: guardrails.keys.batch-app.inputs: unknown key'],
    ['a team\'s rule of no action', 'models: [{ name: a, provider: mock }]\nguardrails: { teams: { finance: { input: [{ type: pii, action: erase }] } } }', 'test.yaml: guardrails.teams.finance.input.0.action: Invalid option'],
    ['a key\'s policy named with a space', 'models: [{ name: a, provider: mock }]\nguardrails: { keys: { "batch app": {} } }', "test.yaml: guardrails.keys.batch app: a key or team is named by up to 64 letters"],
    ['a deny pattern that backtracks', 'models: [{ name: a, provider: mock }]\nguardrails: { input: [{ type: deny, name: codes, patterns: ["(x+)\\\\1"], action: block }] }', 'test.yaml: guardrails.input.0.patterns.0: deny rule codes: pattern "(x+)\\\\1" is refused: it cannot run in linear time'],
    ['a classifier that is no chat model', 'models: [{ name: a, provider: mock, capabilities: [embeddings] }]\nguardrails: { teams: { finance: { input: [{ type: model, route: a, action: block }] } } }', 'test.yaml: guardrails.teams.finance.input.0.route: a is not a configured model with the chat capability'],
    ['keys in a model\'s guardrails', 'models: [{ name: a, provider: mock, guardrails: { keys: { batch-app: {} } } }]', 'test.yaml: models.0.guardrails.keys: unknown key'],
    ['a price by image size that is no size', 'models: [{ name: a, provider: mock }]\npricing: { mock/a: { input_per_mtok: 0, output_per_mtok: 0, per_image_by_quality: { hd: { large: 0.1 } } } }', 'test.yaml: pricing.mock/a.per_image_by_quality.hd.large: an image size is WIDTHxHEIGHT, e.g. 1024x1024'],
    ['a negative price by image size', 'models: [{ name: a, provider: mock }]\npricing: { mock/a: { input_per_mtok: 0, output_per_mtok: 0, per_image_by_quality: { hd: { 1024x1024: -1 } } } }', 'test.yaml: pricing.mock/a.per_image_by_quality.hd.1024x1024: Too small'],
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

  it('takes a price by image quality and size under pricing', () => {
    const config = parseGatewayConfig('models: [{ name: a, provider: mock }]\npricing: { openai/dall-e-3: { input_per_mtok: 0, output_per_mtok: 0, per_image: 0.05, per_image_by_quality: { hd: { 1792x1024: 0.15 } } } }', 'test.yaml', adapterKeys);
    expect(config.pricing['openai/dall-e-3']).toEqual({ input_per_mtok: 0, output_per_mtok: 0, per_image: 0.05, per_image_by_quality: { hd: { '1792x1024': 0.15 } } });
  });

  it('serves a model only when its provider has its key', () => {
    const config = parseGatewayConfig('models: [{ name: g, provider: openai, capabilities: [chat] }]\nproviders: { openai: { api_key_env: K } }');
    expect(buildModelCatalog(config, {}).get('g')).toMatchObject({ enabled: false, disabled_reason: 'provider openai is not enabled: set K' });
    expect(buildModelCatalog(config, { K: 'sk' }).get('g')).toMatchObject({ enabled: true, upstream_model: 'g', capabilities: { chat: true, streaming: false } });
  });

  it('a provider block without api_key_env is disabled while its adapter\'s default key variable is unset', () => {
    const config = parseGatewayConfig(`
models:
  - { name: gpt, provider: openai }
  - { name: llama, provider: fast, upstream_model: llama-3.3-70b-versatile }
  - { name: echo, provider: mock }
  - { name: local, provider: lab, upstream_model: m }
providers: { openai: {}, fast: { kind: groq }, mock: {}, lab: { kind: vllm, base_url: 'http://gpu:8000/v1' } }`);
    const unset = buildModelCatalog(config, {});
    expect(unset.get('gpt')).toMatchObject({ enabled: false, disabled_reason: 'provider openai is not enabled: set OPENAI_API_KEY' });
    expect(unset.get('llama')).toMatchObject({ enabled: false, disabled_reason: 'provider fast is not enabled: set GROQ_API_KEY' });
    // Adapters that need no key stay served.
    expect(unset.get('echo')).toMatchObject({ enabled: true });
    expect(unset.get('local')).toMatchObject({ enabled: true });
    const set = buildModelCatalog(config, { OPENAI_API_KEY: 'sk-o', GROQ_API_KEY: 'gsk' });
    expect([...set.values()].map((entry) => [entry.id, entry.enabled])).toEqual([['gpt', true], ['llama', true], ['echo', true], ['local', true]]);
  });

  it('a bedrock block with an access key id but no secret is disabled, naming the variables the block uses', () => {
    const config = parseGatewayConfig(`
models:
  - { name: claude, provider: aws, upstream_model: anthropic.claude-3-haiku-20240307-v1:0 }
  - { name: nova, provider: bedrock, upstream_model: amazon.nova-lite-v1:0 }
providers:
  aws: { kind: bedrock, api_key_env: TEAM_AWS_ID, secret_key_env: TEAM_AWS_SECRET }
  bedrock: {}`);
    const idOnly = buildModelCatalog(config, { TEAM_AWS_ID: 'AKIA', AWS_ACCESS_KEY_ID: 'AKIA' });
    expect(idOnly.get('claude')).toMatchObject({ enabled: false, disabled_reason: 'provider aws is not enabled: set TEAM_AWS_SECRET' });
    expect(idOnly.get('nova')).toMatchObject({ enabled: false, disabled_reason: 'provider bedrock is not enabled: set AWS_SECRET_ACCESS_KEY' });
    const none = buildModelCatalog(config, {});
    expect(none.get('claude')?.disabled_reason).toBe('provider aws is not enabled: set TEAM_AWS_ID and TEAM_AWS_SECRET');
    const both = buildModelCatalog(config, { TEAM_AWS_ID: 'AKIA', TEAM_AWS_SECRET: 's', AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's' });
    expect([both.get('claude')?.enabled, both.get('nova')?.enabled]).toEqual([true, true]);
  });

  it('a session token variable is needed only when the block names one', () => {
    const config = parseGatewayConfig(`
models: [{ name: a, provider: bedrock, upstream_model: m }, { name: b, provider: temp, upstream_model: m }]
providers: { bedrock: {}, temp: { kind: bedrock, session_token_env: TEMP_TOKEN } }`);
    const catalog = buildModelCatalog(config, { AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's' });
    expect(catalog.get('a')).toMatchObject({ enabled: true });
    expect(catalog.get('b')).toMatchObject({ enabled: false, disabled_reason: 'provider temp is not enabled: set TEMP_TOKEN' });
  });

  describe('breaker', () => {
    const routes = `
models:
  - name: chat
    route: { fallback: [{ target: a/m1 }, { target: b/m2 }] }
providers: { a: { kind: mock }, b: { kind: mock } }
`;

    it('fills in the defaults, and a target\'s own settings over the top level ones', () => {
      expect(breakerSettingsOf(parseGatewayConfig(routes))).toEqual({ ...DEFAULT_BREAKER, targets: {} });
      const config = parseGatewayConfig(`${routes}breaker:\n  consecutive_failures: 3\n  window_ms: 10000\n  targets:\n    b/m2: { cooldown_ms: 1000 }\n`);
      expect(breakerSettingsOf(config)).toEqual({
        ...DEFAULT_BREAKER,
        consecutive_failures: 3,
        window_ms: 10_000,
        targets: { 'b/m2': { ...DEFAULT_BREAKER, consecutive_failures: 3, window_ms: 10_000, cooldown_ms: 1000 } },
      });
    });

    it.each([
      ['a misspelt setting', 'breaker: { consecutive_failure: 3 }', 'test.yaml: breaker.consecutive_failure: unknown key'],
      ['an error rate above 1', 'breaker: { error_rate: 50 }', 'test.yaml: breaker.error_rate: Too big'],
      ['a cooldown longer than its most', 'breaker: { cooldown_ms: 10000, max_cooldown_ms: 5000 }', 'test.yaml: breaker.max_cooldown_ms: 5000 is below cooldown_ms (10000)'],
      ['a target no route calls', 'breaker: { targets: { a/m9: { min_calls: 5 } } }', "test.yaml: breaker.targets.a/m9: no model's route calls this target"],
      ['a misspelt target setting', 'breaker: { targets: { a/m1: { cooldown: 5 } } }', 'test.yaml: breaker.targets.a/m1.cooldown: unknown key'],
    ])('refuses %s, naming its path', (_name, text, message) => {
      expect(() => parseGatewayConfig(`${routes}${text}\n`, 'test.yaml')).toThrow(message);
    });
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

  it("keeps PGlite's WebAssembly on the baseline compiler unless told true, and refuses what is neither", () => {
    expect(readServiceEnv({}).pgliteTierUp).toBe(false);
    expect(readServiceEnv({ GATEWAY_PGLITE_TIER_UP: 'false' }).pgliteTierUp).toBe(false);
    expect(readServiceEnv({ GATEWAY_PGLITE_TIER_UP: 'true' }).pgliteTierUp).toBe(true);
    expect(() => readServiceEnv({ GATEWAY_PGLITE_TIER_UP: 'yes' })).toThrow('GATEWAY_PGLITE_TIER_UP is "yes"; expected true or false');
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

  it('reads the front doors\' TLS files, mTLS only with TLS, and refuses a certificate without its key', () => {
    expect(readServiceEnv({}).tls).toBeUndefined();
    expect(readServiceEnv({ GATEWAY_TLS_CERT: '/tls/tls.crt', GATEWAY_TLS_KEY: '/tls/tls.key' }).tls).toEqual({ certFile: '/tls/tls.crt', keyFile: '/tls/tls.key', clientCaFile: undefined });
    expect(readServiceEnv({ GATEWAY_TLS_CERT: '/tls/tls.crt', GATEWAY_TLS_KEY: '/tls/tls.key', GATEWAY_TLS_CLIENT_CA: '/tls/ca.crt' }).tls).toEqual({
      certFile: '/tls/tls.crt',
      keyFile: '/tls/tls.key',
      clientCaFile: '/tls/ca.crt',
    });
    expect(() => readServiceEnv({ GATEWAY_TLS_CERT: '/tls/tls.crt' })).toThrow('GATEWAY_TLS_KEY is not set: TLS needs both the certificate (GATEWAY_TLS_CERT) and its key (GATEWAY_TLS_KEY)');
    expect(() => readServiceEnv({ GATEWAY_TLS_KEY: '/tls/tls.key' })).toThrow('GATEWAY_TLS_CERT is not set');
    expect(() => readServiceEnv({ GATEWAY_TLS_CLIENT_CA: '/tls/ca.crt' })).toThrow('GATEWAY_TLS_CLIENT_CA asks for client certificates, which need TLS');
  });

  it('serves the health probes only where asked', () => {
    expect(healthAddressOf({})).toBeUndefined();
    expect(healthAddressOf({ GATEWAY_HEALTH_ADDR: '0.0.0.0:9090' })).toEqual({ host: '0.0.0.0', port: 9090 });
    expect(() => healthAddressOf({ GATEWAY_HEALTH_ADDR: '9090' })).toThrow('address "9090" is not host:port');
  });
});

describe('parseAddress', () => {
  it('reads host:port, bracketed IPv6 and a bare port', () => {
    expect(parseAddress('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseAddress(':9000')).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(() => parseAddress('localhost')).toThrow(/is not host:port/);
  });
});
