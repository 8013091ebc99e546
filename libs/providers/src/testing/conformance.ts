// The provider conformance suite: one set of behaviours every adapter must show, run against a
// ReplayServer that answers with the provider's documented wire format.
//
// Use it from an adapter's spec file:
//
//   runConformanceSuite({
//     name: 'openai',
//     createAdapter: (baseUrl) => openaiProviderFactory({ base_url: baseUrl }, { OPENAI_API_KEY: KEY }),
//     apiKey: KEY,
//     chatModel: 'gpt-4o-mini',
//     embedModel: 'text-embedding-3-small',
//     routes: { chat: { path: '/chat/completions' }, stream: { path: '/chat/completions' }, embed: { path: '/embeddings' } },
//     scenarios: { single_turn_chat: { reply: reply.json(fixture), expected: {...}, expectRequest: (r) => ... }, ... },
//   });
//
// `scenarios` must name every scenario in SCENARIOS (the type enforces it): either its fixture, or
// `unsupported('why')`, which is checked as what the adapter must do instead (refuse the request with
// unsupported_capability, have no method for it, or map a status it never documents all the same). The unified
// request each scenario sends is fixed here (conformanceRequests), so fixtures answer the same
// question for every provider and expectRequest can assert the exact translated body. In fixture
// bodies the text {{api_key}} is replaced by the target's key, to prove errors never leak it.
import { GatewayError, type ChatRequest, type ChatResult, type EmbedRequest, type EmbedResult, type ErrorCode, type Tool, type Usage } from '@switchyard/contracts';
import type { CallOptions, ChatStreamEvent, ProviderAdapter } from '../provider';
import { StreamAccumulator } from '../stream-accumulator';
import { refusedBaseUrl, reply, ReplayServer, type RecordedRequest, type Reply } from './replay-server';

export const SCENARIOS = {
  single_turn_chat: 'single_turn_chat',
  system_prompt: 'system_prompt',
  multi_turn: 'multi_turn',
  stream_reassembles: 'stream_reassembles',
  tool_call: 'tool_call',
  tool_call_stream: 'tool_call_stream',
  tool_result_round_trip: 'tool_result_round_trip',
  tool_history_without_tools: 'tool_history_without_tools',
  image_input: 'image_input',
  usage: 'usage',
  embeddings: 'embeddings',
  error_400: 'error_400',
  error_401: 'error_401',
  error_403: 'error_403',
  error_404: 'error_404',
  error_408: 'error_408',
  error_413: 'error_413',
  error_429: 'error_429',
  error_500: 'error_500',
  error_503: 'error_503',
  timeout: 'timeout',
  connection_refused: 'connection_refused',
  malformed_json: 'malformed_json',
  truncated_stream: 'truncated_stream',
} as const;

export type Scenario = keyof typeof SCENARIOS;

/** The gateway code each provider status must become; written out here rather than taken from http.ts, so the suite checks it. */
export const ERROR_SCENARIOS = {
  error_400: { status: 400, code: 'provider_invalid_request' },
  error_401: { status: 401, code: 'provider_auth_failed' },
  error_403: { status: 403, code: 'provider_auth_failed' },
  error_404: { status: 404, code: 'provider_invalid_request' },
  error_408: { status: 408, code: 'provider_timeout' },
  error_413: { status: 413, code: 'provider_invalid_request' },
  error_429: { status: 429, code: 'provider_rate_limited' },
  error_500: { status: 500, code: 'provider_unavailable' },
  error_503: { status: 503, code: 'provider_unavailable' },
} as const satisfies Record<string, { status: number; code: ErrorCode }>;

type ErrorScenario = keyof typeof ERROR_SCENARIOS;

/** One exchange: what the provider answers, and what the adapter must make of it. */
export interface Exchange<T> {
  /** The provider's documented answer. */
  reply: Reply;
  /** What the adapter must return; for a stream, what its events add up to through StreamAccumulator. */
  expected: T;
  /** Assertions on the one request the adapter sent (body, headers, query). */
  expectRequest?: (request: RecordedRequest) => void;
}

export interface ErrorExchange {
  /** The provider's documented error answer, with the status of the scenario. */
  reply: Reply;
  /** The part of the provider's message the gateway error must keep. */
  message: string;
}

export interface Unsupported {
  unsupported: string;
}

/** Marks a scenario (or a variant of one) that the provider cannot do; the reason shows in the test report. */
export function unsupported(reason: string): Unsupported {
  return { unsupported: reason };
}

export interface ScenarioFixtures {
  single_turn_chat: Exchange<ChatResult>;
  system_prompt: Exchange<ChatResult>;
  multi_turn: Exchange<ChatResult>;
  /** The streamed form of single_turn_chat's answer; the two texts must be equal. */
  stream_reassembles: Exchange<ChatResult>;
  tool_call: Exchange<ChatResult>;
  /**
   * A streamed tool call whose arguments arrive in several fragments. A provider documented to send
   * each call's arguments whole (Mistral) sets `argumentsArriveWhole`, and the suite checks they are
   * neither split nor repeated.
   */
  tool_call_stream: Exchange<ChatResult> & { argumentsArriveWhole?: boolean };
  tool_result_round_trip: Exchange<ChatResult>;
  /**
   * tool_result_round_trip's history on a turn that offers no tools (a follow-up after a tool loop, or
   * a fallback that moves a tool conversation to this provider). expectRequest pins the body the
   * provider documents as valid for it: some refuse tool blocks without tool definitions.
   */
  tool_history_without_tools: Exchange<ChatResult>;
  image_input: { url: Exchange<ChatResult> | Unsupported; inline: Exchange<ChatResult> | Unsupported };
  /** Usage as reported, with cached prompt tokens where the provider reports them. */
  usage: { chat: Exchange<Usage>; stream: Exchange<Usage> | Unsupported };
  embeddings: Exchange<EmbedResult>;
  error_400: ErrorExchange;
  error_401: ErrorExchange;
  error_403: ErrorExchange;
  error_404: ErrorExchange;
  error_408: ErrorExchange;
  error_413: ErrorExchange;
  /**
   * `retryAfterMs` is the delay the provider's answer gives (in a Retry-After header, or in the body
   * where that is the provider's way); absent for a provider that documents none (Bedrock's
   * ThrottlingException), and then the error must carry no delay rather than an invented one.
   */
  error_429: ErrorExchange & { retryAfterMs?: number };
  error_500: ErrorExchange;
  error_503: ErrorExchange;
  timeout: true;
  connection_refused: true;
  /** The non-streamed case is generic; `stream` is a stream with an event whose data is not JSON. */
  malformed_json: { stream: Reply | Unsupported };
  /** A complete stream; the suite cuts it. */
  truncated_stream: { reply: Reply };
}

export interface Route {
  /** POST unless given. */
  method?: string;
  /** Path on the replay server, without query. */
  path: string;
}

export interface ConformanceTarget {
  /** Shown in test names. */
  name: string;
  /** Builds the adapter against the replay server; `baseUrl` has no trailing slash. */
  createAdapter(baseUrl: string): ProviderAdapter;
  /** The key the adapter was built with; error messages must never contain it. */
  apiKey?: string;
  /** The model name put in the unified chat requests. */
  chatModel: string;
  /** The model name put in the unified embedding request. */
  embedModel?: string;
  routes: { chat: Route; stream?: Route; embed?: Route };
  scenarios: { [S in Scenario]: ScenarioFixtures[S] | Unsupported };
}

const WEATHER_TOOL: Tool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather in a city',
    parameters_json: JSON.stringify({
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city'],
    }),
  },
};

/** A 1x1 PNG, the inline image of image_input. */
export const CONFORMANCE_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
export const CONFORMANCE_IMAGE_URL = 'https://upload.wikimedia.org/wikipedia/commons/thumb/4/47/PNG_transparency_demonstration_1.png/280px-PNG_transparency_demonstration_1.png';
/** Nine alphanumerics: the one tool-call id form every provider accepts (Mistral demands exactly this). */
export const CONFORMANCE_TOOL_CALL_ID = 'D681PevKs';

/** The unified requests the scenarios send, for spec files to derive the exact provider request from. */
export function conformanceRequests(chatModel: string, embedModel = chatModel) {
  const question: ChatRequest = {
    model: chatModel,
    messages: [{ role: 'user', content: 'What is the capital of France?' }],
    max_tokens: 100,
    temperature: 0.2,
  };
  const weatherQuestion: ChatRequest = {
    model: chatModel,
    messages: [{ role: 'user', content: 'What is the weather like in Paris and in Berlin today?' }],
    tools: [WEATHER_TOOL],
    tool_choice: { mode: 'auto' },
  };
  const toolHistory: ChatRequest = {
    model: chatModel,
    messages: [
      { role: 'user', content: 'What is the weather like in Paris today?' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ id: CONFORMANCE_TOOL_CALL_ID, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: CONFORMANCE_TOOL_CALL_ID, content: '{"temperature":18,"unit":"celsius","conditions":"sunny"}' },
    ],
  };
  return {
    single_turn_chat: question,
    system_prompt: {
      model: chatModel,
      messages: [
        { role: 'system', content: 'You are a terse geography tutor. Answer in one sentence.' },
        { role: 'user', content: 'What is the capital of France?' },
      ],
    } satisfies ChatRequest,
    multi_turn: {
      model: chatModel,
      messages: [
        { role: 'user', content: 'What is the capital of France?' },
        { role: 'assistant', content: 'The capital of France is Paris.' },
        { role: 'user', content: 'And of Germany?' },
      ],
    } satisfies ChatRequest,
    stream_reassembles: question,
    tool_call: weatherQuestion,
    tool_call_stream: weatherQuestion,
    tool_result_round_trip: { ...toolHistory, tools: [WEATHER_TOOL] } satisfies ChatRequest,
    tool_history_without_tools: toolHistory,
    image_url: {
      model: chatModel,
      messages: [{ role: 'user', content_parts: [{ text: 'What is in this image?' }, { image_url: { url: CONFORMANCE_IMAGE_URL } }] }],
    } satisfies ChatRequest,
    image_inline: {
      model: chatModel,
      messages: [
        {
          role: 'user',
          content_parts: [{ text: 'What is in this image?' }, { image: { mime_type: 'image/png', data: new Uint8Array(Buffer.from(CONFORMANCE_PNG_BASE64, 'base64')) } }],
        },
      ],
    } satisfies ChatRequest,
    usage: question,
    embeddings: { model: embedModel, input: ['The food was delicious and the waiter was friendly.', 'The service was slow.'] } satisfies EmbedRequest,
  };
}

const UNIFIED_FINISH_REASONS = ['stop', 'length', 'tool_calls', 'content_filter', 'error'];
export const CALL_TIMEOUT_MS = 10_000;

interface Context {
  readonly target: ConformanceTarget;
  readonly server: ReplayServer;
  readonly adapter: ProviderAdapter;
  readonly requests: ReturnType<typeof conformanceRequests>;
}

export function runConformanceSuite(target: ConformanceTarget): void {
  describe(`${target.name} conformance`, () => {
    let server: ReplayServer | undefined;
    let adapter: ProviderAdapter | undefined;
    const ctx: Context = {
      target,
      get server() {
        return server!;
      },
      get adapter() {
        return adapter!;
      },
      requests: conformanceRequests(target.chatModel, target.embedModel),
    };

    beforeAll(async () => {
      server = await ReplayServer.start();
      adapter = target.createAdapter(server.baseUrl);
    });
    afterAll(async () => {
      await server?.close();
    });
    beforeEach(() => server!.reset());

    for (const scenario of Object.keys(SCENARIOS) as Scenario[]) {
      const fixture = target.scenarios[scenario];
      if (isUnsupported(fixture)) {
        describe(scenario, () => unsupportedCase(ctx, scenario, fixture.unsupported));
        continue;
      }
      describe(scenario, () => (RUNNERS[scenario] as (ctx: Context, fixture: unknown) => void)(ctx, fixture));
    }
  });
}

const RUNNERS: { [S in Scenario]: (ctx: Context, fixture: ScenarioFixtures[S]) => void } = {
  single_turn_chat: (ctx, fixture) => chatCase(ctx, 'answers a single user message', () => ctx.requests.single_turn_chat, fixture),
  system_prompt: (ctx, fixture) => chatCase(ctx, 'sends the system prompt', () => ctx.requests.system_prompt, fixture),
  multi_turn: (ctx, fixture) => chatCase(ctx, 'sends the earlier turns in order', () => ctx.requests.multi_turn, fixture),

  stream_reassembles: (ctx, fixture) => {
    it('streams text that adds up to the non-streamed answer', async () => {
      const single = ctx.target.scenarios.single_turn_chat;
      if (isUnsupported(single)) throw new Error('stream_reassembles compares with single_turn_chat, which is unsupported');
      program(ctx, 'chat', single.reply);
      const whole = await adapterChat(ctx)(ctx.requests.single_turn_chat, callOptions());
      ctx.server.reset();

      program(ctx, 'stream', fixture.reply);
      const events = await collect(adapterStream(ctx)(ctx.requests.stream_reassembles, callOptions()));
      fixture.expectRequest?.(ctx.server.onlyRequest());
      const streamed = accumulate(events);
      expect(events.filter((event) => event.content).length).toBeGreaterThan(1);
      expect(streamed.choices[0].message.content).toBe(whole.choices[0].message.content);
      expect(streamed).toEqual(fixture.expected);
      expectUnified(streamed);
    });
  },

  tool_call: (ctx, fixture) => {
    chatCase(ctx, 'returns the tool calls', () => ctx.requests.tool_call, fixture, (result) => {
      expect(result.choices[0].finish_reason).toBe('tool_calls');
      expect(result.choices[0].message.tool_calls?.length).toBeGreaterThan(0);
    });
  },

  tool_call_stream: (ctx, fixture) => {
    it('reassembles tool-call arguments streamed in fragments', async () => {
      program(ctx, 'stream', fixture.reply);
      const events = await collect(adapterStream(ctx)(ctx.requests.tool_call_stream, callOptions()));
      fixture.expectRequest?.(ctx.server.onlyRequest());
      const fragments = new Map<number, number>();
      for (const event of events) {
        for (const call of event.tool_calls ?? []) {
          if (call.function?.arguments) fragments.set(call.index, (fragments.get(call.index) ?? 0) + 1);
        }
      }
      if (fixture.argumentsArriveWhole) {
        expect([...fragments.values()].every((count) => count === 1)).toBe(true);
      } else {
        // The fixture must really split the arguments, or this scenario would prove nothing.
        expect(Math.max(0, ...fragments.values())).toBeGreaterThan(1);
      }
      const result = accumulate(events);
      expect(result).toEqual(fixture.expected);
      expect(result.choices[0].finish_reason).toBe('tool_calls');
      expectUnified(result);
    });
  },

  tool_result_round_trip: (ctx, fixture) =>
    chatCase(ctx, 'sends the tool call and its result back, and answers', () => ctx.requests.tool_result_round_trip, fixture),
  tool_history_without_tools: (ctx, fixture) =>
    chatCase(ctx, 'sends a tool call and its result back on a turn that offers no tools, as the provider documents', () => ctx.requests.tool_history_without_tools, fixture),

  image_input: (ctx, fixture) => {
    variant('image by URL', fixture.url, (exchange) => chatCase(ctx, 'sends an image by URL', () => ctx.requests.image_url, exchange), (reason) =>
      refusalCase(ctx, reason, () => ctx.requests.image_url, false),
    );
    variant('inline image bytes', fixture.inline, (exchange) => chatCase(ctx, 'sends inline image bytes', () => ctx.requests.image_inline, exchange), (reason) =>
      refusalCase(ctx, reason, () => ctx.requests.image_inline, false),
    );
  },

  usage: (ctx, fixture) => {
    it('reports usage of a completion', async () => {
      program(ctx, 'chat', fixture.chat.reply);
      const result = await adapterChat(ctx)(ctx.requests.usage, callOptions());
      fixture.chat.expectRequest?.(ctx.server.onlyRequest());
      expect(result.usage).toEqual(fixture.chat.expected);
    });
    variant('streamed usage', fixture.stream, (exchange) => {
      it('reports usage of a streamed completion', async () => {
        program(ctx, 'stream', exchange.reply);
        const events = await collect(adapterStream(ctx)(ctx.requests.usage, callOptions()));
        exchange.expectRequest?.(ctx.server.onlyRequest());
        expect(accumulate(events).usage).toEqual(exchange.expected);
      });
    });
  },

  embeddings: (ctx, fixture) => {
    it('returns one embedding per input, in order', async () => {
      if (!ctx.adapter.embed) throw new Error(`${ctx.target.name} has no embed method but claims the embeddings scenario`);
      program(ctx, 'embed', fixture.reply);
      const result = await ctx.adapter.embed(ctx.requests.embeddings, callOptions());
      fixture.expectRequest?.(ctx.server.onlyRequest());
      expect(result).toEqual(fixture.expected);
      expect(result.data.map((item) => item.index)).toEqual(ctx.requests.embeddings.input.map((_, index) => index));
    });
  },

  error_400: (ctx, fixture) => errorCases(ctx, 'error_400', fixture),
  error_401: (ctx, fixture) => errorCases(ctx, 'error_401', fixture),
  error_403: (ctx, fixture) => errorCases(ctx, 'error_403', fixture),
  error_404: (ctx, fixture) => errorCases(ctx, 'error_404', fixture),
  error_408: (ctx, fixture) => errorCases(ctx, 'error_408', fixture),
  error_413: (ctx, fixture) => errorCases(ctx, 'error_413', fixture),
  error_429: (ctx, fixture) => errorCases(ctx, 'error_429', fixture, (error) => expect(error.toBody().retry_after_ms).toBe(fixture.retryAfterMs)),
  error_500: (ctx, fixture) => errorCases(ctx, 'error_500', fixture),
  error_503: (ctx, fixture) => errorCases(ctx, 'error_503', fixture),

  timeout: (ctx) => {
    const slow = reply.delayed(reply.json({}), 30_000);
    it('fails with provider_timeout when the deadline passes before the answer', async () => {
      program(ctx, 'chat', slow);
      const error = await failure(adapterChat(ctx)(ctx.requests.single_turn_chat, { signal: AbortSignal.timeout(100) }));
      expectGatewayError(ctx, error, 'provider_timeout');
    });
    it('fails with cancelled when the caller goes away', async () => {
      program(ctx, 'chat', slow);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const error = await failure(adapterChat(ctx)(ctx.requests.single_turn_chat, { signal: controller.signal }));
      expectGatewayError(ctx, error, 'cancelled');
    });
    whenStreaming(ctx, 'stream times out', () => {
      it('fails a stream with provider_timeout when the deadline passes before the first event', async () => {
        program(ctx, 'stream', slow);
        const error = await failure(collect(adapterStream(ctx)(ctx.requests.stream_reassembles, { signal: AbortSignal.timeout(100) })));
        expectGatewayError(ctx, error, 'provider_timeout');
      });
    });
  },

  connection_refused: (ctx) => {
    let refused: ProviderAdapter;
    beforeAll(async () => {
      refused = ctx.target.createAdapter(await refusedBaseUrl());
    });
    it('fails with provider_unavailable when nothing listens', async () => {
      const error = await failure(refused.chat!(ctx.requests.single_turn_chat, callOptions()));
      expectGatewayError(ctx, error, 'provider_unavailable');
    });
    it('fails with provider_unavailable when the connection is reset before any answer', async () => {
      program(ctx, 'chat', reply.reset());
      const error = await failure(adapterChat(ctx)(ctx.requests.single_turn_chat, callOptions()));
      expectGatewayError(ctx, error, 'provider_unavailable');
    });
    whenStreaming(ctx, 'stream refused', () => {
      it('fails a stream with provider_unavailable when nothing listens', async () => {
        const error = await failure(collect(refused.chatStream!(ctx.requests.stream_reassembles, callOptions())));
        expectGatewayError(ctx, error, 'provider_unavailable');
      });
    });
  },

  malformed_json: (ctx, fixture) => {
    it('fails with provider_bad_response on a 200 whose body is not JSON', async () => {
      program(ctx, 'chat', reply.notJson('<html><body>upstream proxy error for key {{api_key}}</body></html>'));
      const error = await failure(adapterChat(ctx)(ctx.requests.single_turn_chat, callOptions()));
      expectGatewayError(ctx, error, 'provider_bad_response');
    });
    it('fails with provider_bad_response on JSON cut short', async () => {
      program(ctx, 'chat', reply.notJson('{"id": "resp_1", "choices": [{"index": 0, "mess'));
      const error = await failure(adapterChat(ctx)(ctx.requests.single_turn_chat, callOptions()));
      expectGatewayError(ctx, error, 'provider_bad_response');
    });
    variant('stream event that is not JSON', fixture.stream, (stream) => {
      it('fails a stream with provider_bad_response on an event that is not JSON', async () => {
        program(ctx, 'stream', stream);
        const error = await failure(collect(adapterStream(ctx)(ctx.requests.stream_reassembles, callOptions())));
        expectGatewayError(ctx, error, 'provider_bad_response');
      });
    });
  },

  truncated_stream: (ctx, fixture) => {
    it('fails with provider_bad_response when the connection drops mid-stream', async () => {
      program(ctx, 'stream', reply.truncated(fixture.reply));
      const error = await failure(collect(adapterStream(ctx)(ctx.requests.stream_reassembles, callOptions())));
      expectGatewayError(ctx, error, 'provider_bad_response');
    });
    it('fails with provider_bad_response when the stream ends before its last event', async () => {
      const body = fixture.reply.body;
      const half = typeof body === 'string' ? body.slice(0, Math.floor(body.length / 2)) : body.subarray(0, Math.floor(body.byteLength / 2));
      program(ctx, 'stream', { ...fixture.reply, body: half });
      const error = await failure(collect(adapterStream(ctx)(ctx.requests.stream_reassembles, callOptions())));
      expectGatewayError(ctx, error, 'provider_bad_response');
    });
    it('fails with provider_bad_response when a completion body is cut short', async () => {
      const single = ctx.target.scenarios.single_turn_chat;
      if (isUnsupported(single)) throw new Error('truncated_stream cuts single_turn_chat, which is unsupported');
      program(ctx, 'chat', reply.truncated(single.reply));
      const error = await failure(adapterChat(ctx)(ctx.requests.single_turn_chat, callOptions()));
      expectGatewayError(ctx, error, 'provider_bad_response');
    });
  },
};

function chatCase(
  ctx: Context,
  title: string,
  request: () => ChatRequest,
  exchange: Exchange<ChatResult>,
  extra?: (result: ChatResult) => void,
): void {
  it(title, async () => {
    program(ctx, 'chat', exchange.reply);
    const result = await adapterChat(ctx)(request(), callOptions());
    exchange.expectRequest?.(ctx.server.onlyRequest());
    expect(result).toEqual(exchange.expected);
    expectUnified(result);
    extra?.(result);
  });
}

function errorCases(ctx: Context, scenario: ErrorScenario, fixture: ErrorExchange, extra?: (error: GatewayError) => void): void {
  const { status, code } = ERROR_SCENARIOS[scenario];
  const check = (error: GatewayError) => {
    expectGatewayError(ctx, error, code);
    expect(error.message).toContain(fixture.message);
    expect(error.providerStatus).toBe(status);
    extra?.(error);
  };
  it(`maps the provider's ${status} to ${code}, keeping its message`, async () => {
    expect(fixture.reply.status).toBe(status);
    program(ctx, 'chat', fixture.reply);
    check(await failure(adapterChat(ctx)(ctx.requests.single_turn_chat, callOptions())));
  });
  whenStreaming(ctx, `streamed ${status}`, () => {
    it(`maps the provider's ${status} to ${code} on a stream request`, async () => {
      program(ctx, 'stream', fixture.reply);
      check(await failure(collect(adapterStream(ctx)(ctx.requests.stream_reassembles, callOptions()))));
    });
  });
}

/**
 * Runs `body` for a supported variant of a scenario. An unsupported one runs `refusal`, the check that
 * the adapter turns it down; a variant that has none cannot be unsupported.
 */
function variant<T>(title: string, fixture: T | Unsupported, body: (fixture: T) => void, refusal?: (reason: string) => void): void {
  if (!isUnsupported(fixture)) body(fixture);
  else if (refusal) describe(title, () => refusal(fixture.unsupported));
  else notCheckable(title, fixture.unsupported);
}

function whenStreaming(ctx: Context, title: string, body: () => void): void {
  if (ctx.target.routes.stream) body();
  else it(`${title}: has no stream route, and the adapter no chatStream method`, () => expect(ctx.adapter.chatStream).toBeUndefined());
}

/** Chat scenarios a provider may not support, and the request its adapter must then refuse. */
const REFUSED_REQUESTS: Partial<Record<Scenario, (ctx: Context) => ChatRequest>> = {
  tool_call: (ctx) => ctx.requests.tool_call,
  tool_call_stream: (ctx) => ctx.requests.tool_call_stream,
  tool_result_round_trip: (ctx) => ctx.requests.tool_result_round_trip,
  tool_history_without_tools: (ctx) => ctx.requests.tool_history_without_tools,
};

/** What an adapter must do in a scenario its provider does not support: say so, and never pass it on as if it did. */
function unsupportedCase(ctx: Context, scenario: Scenario, reason: string): void {
  const refused = REFUSED_REQUESTS[scenario];
  if (scenario === 'embeddings') {
    it(`has no embed method, which the provider-worker answers with unsupported_capability (${reason})`, () => {
      expect(ctx.adapter.embed).toBeUndefined();
    });
  } else if (scenario in ERROR_SCENARIOS) {
    const { status, code } = ERROR_SCENARIOS[scenario as ErrorScenario];
    it(`maps a ${status} the provider does not document to ${code} all the same (${reason})`, async () => {
      program(ctx, 'chat', reply.error(status, { error: { message: 'a status this provider does not document' } }));
      const error = await failure(adapterChat(ctx)(ctx.requests.single_turn_chat, callOptions()));
      expectGatewayError(ctx, error, code);
      expect(error.providerStatus).toBe(status);
    });
  } else if (refused) {
    refusalCase(ctx, reason, () => refused(ctx), scenario === 'tool_call_stream');
  } else if (scenario === 'image_input') {
    describe('image by URL', () => refusalCase(ctx, reason, () => ctx.requests.image_url, false));
    describe('inline image bytes', () => refusalCase(ctx, reason, () => ctx.requests.image_inline, false));
  } else {
    notCheckable(scenario, reason);
  }
}

/** The adapter refuses the request with unsupported_capability, and the provider is never called. */
function refusalCase(ctx: Context, reason: string, request: () => ChatRequest, stream: boolean): void {
  it(`refuses it with unsupported_capability before calling the provider (${reason})`, async () => {
    const error = await failure(stream ? collect(adapterStream(ctx)(request(), callOptions())) : adapterChat(ctx)(request(), callOptions()));
    expectGatewayError(ctx, error, 'unsupported_capability');
    expect(ctx.server.requests).toEqual([]);
  });
}

/** A scenario marked unsupported that has no check for it fails, rather than pass unchecked. */
function notCheckable(title: string, reason: string): void {
  it(`${title}: marked unsupported (${reason})`, () => {
    throw new Error(`${title} cannot be marked unsupported: there is no check of what an adapter does without it; give its fixture`);
  });
}

function program(ctx: Context, kind: 'chat' | 'stream' | 'embed', answer: Reply): void {
  const route = ctx.target.routes[kind];
  if (!route) throw new Error(`${ctx.target.name} declares no ${kind} route`);
  ctx.server.on(route.method ?? 'POST', route.path, withKey(answer, ctx.target.apiKey));
}

/** The answer with {{api_key}} in its body replaced by the target's key. */
export function withKey(answer: Reply, apiKey: string | undefined): Reply {
  if (typeof answer.body !== 'string') return answer;
  return { ...answer, body: answer.body.split('{{api_key}}').join(apiKey ?? '') };
}

function adapterChat(ctx: Context): NonNullable<ProviderAdapter['chat']> {
  const { adapter } = ctx;
  if (!adapter.chat) throw new Error(`${ctx.target.name} has no chat method`);
  return adapter.chat.bind(adapter);
}

function adapterStream(ctx: Context): NonNullable<ProviderAdapter['chatStream']> {
  const { adapter } = ctx;
  if (!adapter.chatStream) throw new Error(`${ctx.target.name} has no chatStream method`);
  return adapter.chatStream.bind(adapter);
}

function callOptions(): CallOptions {
  return { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) };
}

async function collect(stream: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const events: ChatStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

function accumulate(events: ChatStreamEvent[]): ChatResult {
  const accumulator = new StreamAccumulator();
  for (const event of events) {
    if (event.finish_reason) expect(UNIFIED_FINISH_REASONS).toContain(event.finish_reason);
    accumulator.add(event);
  }
  return accumulator.result();
}

export async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw new Error(`expected a GatewayError, got: ${String(error)}`, { cause: error });
  }
  throw new Error('expected the call to fail, but it succeeded');
}

function expectGatewayError(ctx: Context, error: GatewayError, code: ErrorCode): void {
  expectGatewayErrorHiding(ctx.target.apiKey, error, code);
}

/** The error has `code` and a message, and neither it nor its body shows `key`. */
export function expectGatewayErrorHiding(key: string | undefined, error: GatewayError, code: ErrorCode): void {
  expect({ code: error.code, message: error.message }).toEqual({ code, message: expect.any(String) });
  if (key) {
    expect(error.message).not.toContain(key);
    expect(JSON.stringify(error.toBody())).not.toContain(key);
  }
}

function expectUnified(result: ChatResult): void {
  for (const choice of result.choices) {
    expect(UNIFIED_FINISH_REASONS).toContain(choice.finish_reason);
    expect(choice.message.role).toBe('assistant');
    for (const call of choice.message.tool_calls ?? []) expect(() => JSON.parse(call.function.arguments)).not.toThrow();
  }
}

function isUnsupported(value: unknown): value is Unsupported {
  return typeof value === 'object' && value !== null && 'unsupported' in value;
}
