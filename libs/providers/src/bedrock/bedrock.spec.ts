import { GatewayError, type ChatResult } from '@switchyard/contracts';
import type { ProviderAdapter } from '../provider';
import { PROVIDER_FACTORIES } from '../registry';
import {
  CONFORMANCE_PNG_BASE64,
  CONFORMANCE_TOOL_CALL_ID,
  ReplayServer,
  reply,
  runConformanceSuite,
  unsupported,
  type RecordedRequest,
  type Reply,
} from '../testing';
import {
  BEDROCK_REQUEST_ID,
  CONVERSE_TEXT_STREAM_EVENTS,
  CONVERSE_TOOL_FRAGMENTS,
  CONVERSE_TOOL_STREAM_EVENTS,
  TITAN_EMBED_RESPONSES,
  bedrockError,
  converseStream,
  errorFrame,
  eventFrame,
  eventStream,
  exceptionFrame,
} from './bedrock.fixtures';
import { bedrockProviderFactory, signAwsRequest } from './index';

const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SESSION_TOKEN = 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN//////////wEaDEXAMPLE==';
const ENV = { AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY, AWS_SESSION_TOKEN: SESSION_TOKEN, AWS_REGION: 'eu-west-3' };
const MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const EMBED_MODEL = 'amazon.titan-embed-text-v2:0';
// The model id's ':' travels percent-encoded in the path.
const CONVERSE = '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse';
const CONVERSE_STREAM = '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream';
const INVOKE_EMBED = '/model/amazon.titan-embed-text-v2%3A0/invoke';
const PARIS = 'The capital of France is Paris.';

const WEATHER_SPEC = {
  toolSpec: {
    name: 'get_weather',
    description: 'Get the current weather in a city',
    inputSchema: {
      json: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] },
    },
  },
};

function createAdapter(baseUrl: string): ProviderAdapter {
  return bedrockProviderFactory({ base_url: baseUrl }, ENV);
}

/** Asserts the SigV4 headers and the exact JSON body of the one request sent. */
function expectSigned(body: unknown, accept = 'application/json') {
  return (request: RecordedRequest) => {
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.accept).toBe(accept);
    expect(request.headers['x-amz-security-token']).toBe(SESSION_TOKEN);
    expect(request.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(request.headers.authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/\\d{8}/eu-west-3/bedrock/aws4_request, SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$`),
    );
    expect(request.body).toEqual(body);
  };
}

const withRequestId = (base: Reply): Reply => ({ ...base, headers: { ...base.headers, 'x-amzn-requestid': BEDROCK_REQUEST_ID } });
const converseJson = (body: unknown) => withRequestId(reply.json(body));
const converseBinary = (events: [string, unknown][]) => withRequestId(reply.binary(converseStream(events)));

function answer(content: unknown[], stopReason: string, usage: object = { inputTokens: 14, outputTokens: 9, totalTokens: 23 }) {
  return { output: { message: { role: 'assistant', content } }, stopReason, usage, metrics: { latencyMs: 412 } };
}

function textResult(text: string, usage = { prompt_tokens: 14, completion_tokens: 9, total_tokens: 23 }): ChatResult {
  return { provider_response_id: BEDROCK_REQUEST_ID, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage };
}

const question = { messages: [{ role: 'user', content: [{ text: 'What is the capital of France?' }] }], inferenceConfig: { maxTokens: 100, temperature: 0.2 } };
const weatherQuestion = {
  messages: [{ role: 'user', content: [{ text: 'What is the weather like in Paris and in Berlin today?' }] }],
  toolConfig: { tools: [WEATHER_SPEC], toolChoice: { auto: {} } },
};
const toolCalls = [
  { id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
  { id: 'tooluse_6Wk3Mxd9QnGV2iPRz8tN1A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Berlin"}' } },
];
const cachedUsage = { inputTokens: 14, outputTokens: 9, totalTokens: 3623, cacheReadInputTokens: 2048, cacheWriteInputTokens: 1552 };
const cachedUnified = { prompt_tokens: 3614, completion_tokens: 9, total_tokens: 3623, cached_prompt_tokens: 2048, cache_creation_prompt_tokens: 1552 };
const parisStream: [string, unknown][] = [
  ['messageStart', { role: 'assistant' }],
  ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'The capital' } }],
  ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: ' of France is' } }],
  ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: ' Paris.' } }],
  ['contentBlockStop', { contentBlockIndex: 0 }],
  ['messageStop', { stopReason: 'end_turn' }],
  ['metadata', { usage: { inputTokens: 14, outputTokens: 9, totalTokens: 23 }, metrics: { latencyMs: 398 } }],
];

const errorFixture = (status: number, type: string, message: string) => ({ reply: bedrockError(status, type, message), message });

/** tool_result_round_trip's answer, and its history as the provider takes it; tool_history_without_tools shares them. */
const TOOL_RESULT_ANSWER = { reply: converseJson(answer([{ text: 'It is 18 °C and sunny in Paris today.' }], 'end_turn')), expected: textResult('It is 18 °C and sunny in Paris today.') };
const TOOL_HISTORY = {
  messages: [
    { role: 'user', content: [{ text: 'What is the weather like in Paris today?' }] },
    { role: 'assistant', content: [{ toolUse: { toolUseId: CONFORMANCE_TOOL_CALL_ID, name: 'get_weather', input: { city: 'Paris' } } }] },
    {
      role: 'user',
      content: [{ toolResult: { toolUseId: CONFORMANCE_TOOL_CALL_ID, content: [{ text: '{"temperature":18,"unit":"celsius","conditions":"sunny"}' }] } }],
    },
  ],
};

runConformanceSuite({
  name: 'bedrock',
  createAdapter,
  apiKey: SECRET_KEY,
  chatModel: MODEL,
  embedModel: EMBED_MODEL,
  routes: { chat: { path: CONVERSE }, stream: { path: CONVERSE_STREAM }, embed: { path: INVOKE_EMBED } },
  scenarios: {
    single_turn_chat: { reply: converseJson(answer([{ text: PARIS }], 'end_turn')), expected: textResult(PARIS), expectRequest: expectSigned(question) },
    system_prompt: {
      reply: converseJson(answer([{ text: 'Paris is the capital of France.' }], 'end_turn')),
      expected: textResult('Paris is the capital of France.'),
      expectRequest: expectSigned({
        messages: [{ role: 'user', content: [{ text: 'What is the capital of France?' }] }],
        system: [{ text: 'You are a terse geography tutor. Answer in one sentence.' }],
      }),
    },
    multi_turn: {
      reply: converseJson(answer([{ text: 'The capital of Germany is Berlin.' }], 'end_turn')),
      expected: textResult('The capital of Germany is Berlin.'),
      expectRequest: expectSigned({
        messages: [
          { role: 'user', content: [{ text: 'What is the capital of France?' }] },
          { role: 'assistant', content: [{ text: PARIS }] },
          { role: 'user', content: [{ text: 'And of Germany?' }] },
        ],
      }),
    },
    stream_reassembles: {
      reply: converseBinary(parisStream),
      expected: textResult(PARIS),
      expectRequest: expectSigned(question, 'application/vnd.amazon.eventstream'),
    },
    tool_call: {
      reply: converseJson(
        answer(
          [
            { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'get_weather', input: { city: 'Paris' } } },
            { toolUse: { toolUseId: 'tooluse_6Wk3Mxd9QnGV2iPRz8tN1A', name: 'get_weather', input: { city: 'Berlin' } } },
          ],
          'tool_use',
          { inputTokens: 410, outputTokens: 96, totalTokens: 506 },
        ),
      ),
      expected: {
        provider_response_id: BEDROCK_REQUEST_ID,
        choices: [{ index: 0, message: { role: 'assistant', content: '', tool_calls: toolCalls }, finish_reason: 'tool_calls' }],
        usage: { prompt_tokens: 410, completion_tokens: 96, total_tokens: 506 },
      },
      expectRequest: expectSigned(weatherQuestion),
    },
    tool_call_stream: {
      reply: converseBinary(CONVERSE_TOOL_STREAM_EVENTS),
      expected: {
        provider_response_id: BEDROCK_REQUEST_ID,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: 'I will look up the weather in both cities.',
              tool_calls: [
                { ...toolCalls[0], function: { name: 'get_weather', arguments: CONVERSE_TOOL_FRAGMENTS[0].join('') } },
                { ...toolCalls[1], function: { name: 'get_weather', arguments: CONVERSE_TOOL_FRAGMENTS[1].join('') } },
              ],
            },
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 410, completion_tokens: 96, total_tokens: 506 },
      },
      expectRequest: expectSigned(weatherQuestion, 'application/vnd.amazon.eventstream'),
    },
    tool_result_round_trip: {
      ...TOOL_RESULT_ANSWER,
      expectRequest: expectSigned({
        ...TOOL_HISTORY,
        toolConfig: { tools: [WEATHER_SPEC] },
      }),
    },
    // Converse refuses toolUse and toolResult blocks without a toolConfig (ValidationException), and a
    // toolConfig needs at least one tool: the tools the history called are declared.
    tool_history_without_tools: {
      ...TOOL_RESULT_ANSWER,
      expectRequest: expectSigned({
        ...TOOL_HISTORY,
        toolConfig: {
          tools: [{ toolSpec: { name: 'get_weather', description: 'Called earlier in this conversation; not available on this turn.', inputSchema: { json: { type: 'object' } } } }],
        },
      }),
    },
    image_input: {
      url: unsupported('Converse takes image bytes or an S3 location, never a web URL; the adapter fails with unsupported_capability'),
      inline: {
        reply: converseJson(answer([{ text: 'A single transparent pixel.' }], 'end_turn')),
        expected: textResult('A single transparent pixel.'),
        expectRequest: expectSigned({
          messages: [{ role: 'user', content: [{ text: 'What is in this image?' }, { image: { format: 'png', source: { bytes: CONFORMANCE_PNG_BASE64 } } }] }],
        }),
      },
    },
    usage: {
      chat: { reply: converseJson(answer([{ text: PARIS }], 'end_turn', cachedUsage)), expected: cachedUnified, expectRequest: expectSigned(question) },
      stream: {
        reply: converseBinary([...parisStream.slice(0, -1), ['metadata', { usage: cachedUsage, metrics: { latencyMs: 398 } }]]),
        expected: cachedUnified,
        expectRequest: expectSigned(question, 'application/vnd.amazon.eventstream'),
      },
    },
    // Titan embeds one text per call, so both inputs get this one answer; bedrock.spec.ts checks order with distinct answers.
    embeddings: {
      reply: withRequestId(reply.json(TITAN_EMBED_RESPONSES[0])),
      expected: {
        data: [
          { index: 0, embedding: TITAN_EMBED_RESPONSES[0].embedding },
          { index: 1, embedding: TITAN_EMBED_RESPONSES[0].embedding },
        ],
        usage: { prompt_tokens: 22, completion_tokens: 0, total_tokens: 22 },
      },
    },
    error_400: errorFixture(400, 'ValidationException', 'The model returned the following errors: messages: roles must alternate'),
    error_401: unsupported('AWS answers missing or bad credentials with 403 (UnrecognizedClientException, InvalidSignatureException), never 401'),
    error_403: errorFixture(403, 'AccessDeniedException', "You don't have access to the model with the specified model ID."),
    error_404: errorFixture(404, 'ResourceNotFoundException', 'Could not resolve the foundation model from the provided model identifier.'),
    error_408: errorFixture(408, 'ModelTimeoutException', 'Model has timed out in processing the request. Try your request again.'),
    error_413: unsupported('Bedrock documents no 413; an oversized input is a 400 ValidationException'),
    // Bedrock documents no Retry-After, so the suite checks that no delay is invented.
    error_429: errorFixture(429, 'ThrottlingException', 'Too many requests, please wait before trying again.'),
    error_500: errorFixture(500, 'InternalServerException', 'An internal server error occurred. Retry your request.'),
    error_503: errorFixture(503, 'ServiceUnavailableException', 'Bedrock is unable to process your request.'),
    timeout: true,
    connection_refused: true,
    malformed_json: {
      stream: reply.binary(eventStream([eventFrame('messageStart', { role: 'assistant' }), eventFrame('contentBlockDelta', '{"contentBlockIndex":0,"delta":{"te')])),
    },
    truncated_stream: { reply: converseBinary(CONVERSE_TEXT_STREAM_EVENTS) },
  },
});

describe('bedrock adapter', () => {
  let server: ReplayServer;
  let adapter: ProviderAdapter;
  const signal = () => AbortSignal.timeout(10_000);
  const request = { model: MODEL, messages: [{ role: 'user', content: 'Hello' }] };

  beforeAll(async () => {
    server = await ReplayServer.start();
    adapter = createAdapter(server.baseUrl);
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  async function failure(promise: Promise<unknown>): Promise<GatewayError> {
    const error = await promise.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }

  async function drain(stream: AsyncIterable<unknown>): Promise<void> {
    for await (const _event of stream);
  }

  it('sends exactly the bytes, host and path it signed', async () => {
    server.on('POST', CONVERSE, converseJson(answer([{ text: 'ok' }], 'end_turn')));
    await adapter.chat!(request, { signal: signal() });
    const sent = server.onlyRequest();
    const resigned = await signAwsRequest({
      method: 'POST',
      url: `${server.baseUrl}${sent.path}`,
      headers: { 'content-type': sent.headers['content-type'], accept: sent.headers.accept },
      body: sent.rawBody,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, sessionToken: SESSION_TOKEN },
      region: 'eu-west-3',
      service: 'bedrock',
      signingDate: new Date(sent.headers['x-amz-date'].replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')),
    });
    expect(sent.headers.host).toBe(resigned.host);
    expect(sent.headers.authorization).toBe(resigned.authorization);
  });

  it.each([
    [429, 'ThrottlingException', 'Too many requests, please wait before trying again.', 'provider_rate_limited'],
    [429, 'ModelNotReadyException', 'Model is not ready to serve inference requests.', 'provider_rate_limited'],
    [400, 'ServiceQuotaExceededException', 'Your request exceeds the service quota for your account.', 'provider_rate_limited'],
    [403, 'UnrecognizedClientException', 'The security token included in the request is invalid.', 'provider_auth_failed'],
    [424, 'ModelErrorException', 'The request failed due to an error while processing the model.', 'provider_unavailable'],
  ])('maps a %s %s answer by its x-amzn-ErrorType to %s', async (status, type, text, code) => {
    server.on('POST', CONVERSE, bedrockError(status, type, text));
    const error = await failure(adapter.chat!(request, { signal: signal() }));
    expect(error).toMatchObject({ code, providerStatus: status, message: `bedrock returned ${status} ${type}: ${text}` });
  });

  it.each([
    ['throttlingException', 'provider_rate_limited'],
    ['modelStreamErrorException', 'provider_unavailable'],
    ['validationException', 'provider_invalid_request'],
    ['internalServerException', 'provider_unavailable'],
  ])('fails a stream on a mid-stream %s exception frame with %s', async (type, code) => {
    server.on('POST', CONVERSE_STREAM, reply.binary(eventStream([eventFrame('messageStart', { role: 'assistant' }), exceptionFrame(type, 'stream failed')])));
    const error = await failure(drain(adapter.chatStream!(request, { signal: signal() })));
    expect(error).toMatchObject({ code, message: `bedrock reported an error mid-stream: ${type}: stream failed` });
  });

  it('fails a stream on an unmodelled error frame with provider_unavailable', async () => {
    server.on('POST', CONVERSE_STREAM, reply.binary(eventStream([errorFrame('InternalFailure', 'boom')])));
    expect(await failure(drain(adapter.chatStream!(request, { signal: signal() })))).toMatchObject({ code: 'provider_unavailable' });
  });

  it('fails a stream whose frame CRC is corrupt with provider_bad_response', async () => {
    const body = converseStream(parisStream);
    body[body.length - 30] ^= 0x01;
    server.on('POST', CONVERSE_STREAM, reply.binary(body));
    expect(await failure(drain(adapter.chatStream!(request, { signal: signal() })))).toMatchObject({ code: 'provider_bad_response' });
  });

  it('fails a stream that ends cleanly between frames but before messageStop with provider_bad_response', async () => {
    server.on('POST', CONVERSE_STREAM, reply.binary(converseStream(parisStream.slice(0, 3))));
    expect(await failure(drain(adapter.chatStream!(request, { signal: signal() })))).toMatchObject({
      code: 'provider_bad_response',
      message: 'bedrock ended the stream before messageStop',
    });
  });

  // Cut inside the metadata frame, after messageStop: ending quietly would lose the usage.
  it('fails a stream cut inside its last frame with provider_bad_response', async () => {
    const body = converseStream(parisStream);
    server.on('POST', CONVERSE_STREAM, reply.binary(body.subarray(0, body.length - 5)));
    expect(await failure(drain(adapter.chatStream!(request, { signal: signal() })))).toMatchObject({
      code: 'provider_bad_response',
      message: 'bedrock ended the stream in the middle of an event-stream frame',
    });
  });

  it('reads usage from the metadata event that follows messageStop', async () => {
    server.on('POST', CONVERSE_STREAM, reply.binary(converseStream(parisStream), { chunkSize: 3 }));
    const usage = [];
    for await (const event of adapter.chatStream!(request, { signal: signal() })) if (event.usage) usage.push(event.usage);
    expect(usage).toEqual([{ prompt_tokens: 14, completion_tokens: 9, total_tokens: 23 }]);
  });

  it('embeds each input with its own InvokeModel call, in order', async () => {
    server.on('POST', INVOKE_EMBED, reply.json(TITAN_EMBED_RESPONSES[0]), reply.json(TITAN_EMBED_RESPONSES[1]));
    const result = await adapter.embed!({ model: EMBED_MODEL, input: ['first text', 'second text'], dimensions: 256 }, { signal: signal() });
    expect(server.requests.map((sent) => sent.body)).toEqual([
      { inputText: 'first text', dimensions: 256 },
      { inputText: 'second text', dimensions: 256 },
    ]);
    expect(result.data).toEqual(TITAN_EMBED_RESPONSES.map((response, index) => ({ index, embedding: response.embedding })));
  });

  it('refuses to embed with a model that is not Titan text v2', async () => {
    expect(await failure(adapter.embed!({ model: 'cohere.embed-english-v3', input: ['x'] }, { signal: signal() }))).toMatchObject({ code: 'unsupported_capability' });
    expect(server.requests).toHaveLength(0);
  });

  it('fails with provider_auth_failed, sending nothing, when no credentials are set', async () => {
    const bare = bedrockProviderFactory({ base_url: server.baseUrl }, {});
    expect(await failure(bare.chat!(request, { signal: signal() }))).toMatchObject({ code: 'provider_auth_failed' });
    expect(server.requests).toHaveLength(0);
  });

  it('a block with an access key id but no secret fails naming the variables the block uses, sending nothing', async () => {
    const idOnly = bedrockProviderFactory({ base_url: server.baseUrl, api_key_env: 'TEAM_AWS_ID', secret_key_env: 'TEAM_AWS_SECRET' }, { TEAM_AWS_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY });
    const error = await failure(idOnly.chat!(request, { signal: signal() }));
    expect({ code: error.code, message: error.message }).toEqual({ code: 'provider_auth_failed', message: 'bedrock has no AWS credentials: set TEAM_AWS_ID and TEAM_AWS_SECRET' });
    expect(server.requests).toHaveLength(0);
  });

  it('never shows any credential in an error, even when the provider echoes them', async () => {
    server.on('POST', CONVERSE, bedrockError(403, 'InvalidSignatureException', `Signature for ${ACCESS_KEY} with ${SECRET_KEY} and ${SESSION_TOKEN} does not match`));
    const error = await failure(adapter.chat!(request, { signal: signal() }));
    for (const secret of [ACCESS_KEY, SECRET_KEY, SESSION_TOKEN]) expect(JSON.stringify({ message: error.message, body: error.toBody() })).not.toContain(secret);
  });

  it('signs for the region of the provider block, which wins over AWS_REGION', async () => {
    const configured = bedrockProviderFactory({ base_url: server.baseUrl, region: 'ap-northeast-1' }, ENV);
    server.on('POST', CONVERSE, converseJson(answer([{ text: 'ok' }], 'end_turn')));
    await configured.chat!(request, { signal: signal() });
    expect(server.onlyRequest().headers.authorization).toMatch(/Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/ap-northeast-1\/bedrock\/aws4_request,/);
  });

  it('sends a JSON Schema response format as outputConfig.textFormat and returns the JSON text it answers', async () => {
    const schema = '{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}';
    server.on('POST', CONVERSE, converseJson(answer([{ text: '{"city":"Paris"}' }], 'end_turn')));
    const result = await adapter.chat!({ ...request, response_format: { type: 'json_schema', json_schema_name: 'place', json_schema: schema } }, { signal: signal() });
    expect((server.onlyRequest().body as { outputConfig: unknown }).outputConfig).toEqual({
      textFormat: { type: 'json_schema', structure: { jsonSchema: { schema, name: 'place' } } },
    });
    expect(result.choices[0].message.content).toBe('{"city":"Paris"}');
  });

  it('refuses a JSON object response format with unsupported_capability, sending nothing', async () => {
    expect(await failure(adapter.chat!({ ...request, response_format: { type: 'json_object' } }, { signal: signal() }))).toMatchObject({ code: 'unsupported_capability' });
    expect(server.requests).toHaveLength(0);
  });

  it('refuses an image by web URL with unsupported_capability, sending nothing', async () => {
    const byUrl = { model: MODEL, messages: [{ role: 'user', content_parts: [{ image_url: { url: 'https://example.com/cat.png' } }] }] };
    expect(await failure(adapter.chat!(byUrl, { signal: signal() }))).toMatchObject({ code: 'unsupported_capability' });
    expect(server.requests).toHaveLength(0);
  });

  it('is registered under "bedrock"', () => {
    expect(PROVIDER_FACTORIES.bedrock).toBe(bedrockProviderFactory);
  });
});
