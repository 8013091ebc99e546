import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ERROR_CODES, GatewayError, GRPC_STATUS } from './errors';
import { summarizeRequest, type RequestEvent } from './events';
import { InvalidEventError, parseCompletionEvent, parseRequestEvent, parseRequestsTopicEvent, parseUsageEvent, parseUsageTopicEvent } from './parse';
import { PIPELINE_TOPICS, replyTopicFor, TOPICS } from './topics';
import { validateChatRequest, validateEmbedRequest } from './validate';

const root = path.resolve(__dirname, '../../..');

describe('generated gRPC types', () => {
  it('match proto/ (run `npm run proto:gen` after changing the proto)', () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-proto-'));
    execFileSync(process.execPath, [path.join(root, 'tools/proto-gen.mjs'), fresh], { stdio: 'pipe' });
    const committed = path.join(__dirname, 'generated');
    const list = (dir: string): string[] =>
      fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name))).sort();
    expect(list(committed)).toEqual(list(fresh));
    for (const file of list(fresh)) {
      expect({ file, text: fs.readFileSync(path.join(committed, file), 'utf8') }).toEqual({ file, text: fs.readFileSync(path.join(fresh, file), 'utf8') });
    }
  });
});

describe('validateChatRequest', () => {
  const ok = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
  it.each([
    [{ ...ok, model: '' }, 'model is required'],
    [{ ...ok, messages: [] }, 'messages must contain at least one message'],
    [{ ...ok, messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role is "robot"; expected one of system, user, assistant, tool'],
    [{ ...ok, messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id is required on a message with role tool'],
    [{ ...ok, temperature: 3 }, 'temperature is 3; it must be between 0 and 2'],
    [{ ...ok, top_p: 1.5 }, 'top_p is 1.5; it must be between 0 and 1'],
    [{ ...ok, max_tokens: 0 }, 'max_tokens is 0; it must be between 1 and 1000000'],
    [{ ...ok, tools: [{ type: 'function', function: { name: 'f', parameters_json: '{nope' } }] }, 'tools[0].function.parameters_json is not valid JSON'],
    [
      { ...ok, tools: [{ type: 'function', function: { name: 'f', parameters_json: '{"a":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}' } }] },
      'tools[0].function.parameters_json is nested more than 256 levels deep',
    ],
    [{ ...ok, response_format: { type: 'json_schema', json_schema: '{"a":' + '['.repeat(300) + ']'.repeat(300) + '}' } }, 'response_format.json_schema is nested more than 256 levels deep'],
  ])('refuses %j', (request, message) => {
    expect(() => validateChatRequest(request)).toThrow(new GatewayError('invalid_request', message));
  });

  it('accepts a well-formed request', () => {
    expect(() => validateChatRequest(ok)).not.toThrow();
  });

  it('counts only brackets outside strings when it measures how deep a schema nests', () => {
    const schema = JSON.stringify({ type: 'object', description: '['.repeat(1000) + '\\"[', properties: { a: { type: 'array', items: { type: 'string' } } } });
    expect(() => validateChatRequest({ ...ok, tools: [{ type: 'function', function: { name: 'f', parameters_json: schema } }] })).not.toThrow();
  });

  it('refuses embeddings without input', () => {
    expect(() => validateEmbedRequest({ model: 'e', input: [] })).toThrow('input must contain at least one string');
  });
});

describe('event parsing', () => {
  const request = { request_id: 'r', kind: 'chat', stream: false, reply_to: 't', received_at: 1, deadline_at: 2, api_key_id: 'a', chat: { model: 'm', messages: [] } };

  const outcome = { type: 'caller_outcome', request_id: 'r', ts: '2026-11-25T10:00:00.000Z', api_key_id: 'a', kind: 'chat', stream: false, model: 'm', status: 'error', error_code: 'deadline_exceeded' };
  const usage = { request_id: 'r', ts: '2026-11-25T10:00:00.000Z', model: 'm', status: 'ok', prompt_tokens: 1, completion_tokens: 2, cost_usd: 0, latency_ms: 3 };

  const summary = summarizeRequest(request as RequestEvent);

  it('accepts events of the documented shape', () => {
    expect(parseRequestEvent(request)).toBe(request);
    const completion = { request: summary, status: 'ok', provider_latency_ms: 1, stage: 's' };
    expect(parseCompletionEvent(completion)).toBe(completion);
  });

  it("summarizes a request without its prompt, with the model and metadata its body gave", () => {
    const asked = { ...request, chat: { model: 'm', messages: [{ role: 'user', content: 'secret prompt' }], metadata: { team: 'a' } }, signature: 'sig', guardrail_placeholders: { '<EMAIL_1>': 'bob@example.com' }, batch_id: 'b1' } as RequestEvent;
    expect(summarizeRequest(asked)).toEqual({ request_id: 'r', kind: 'chat', stream: false, reply_to: 't', received_at: 1, deadline_at: 2, api_key_id: 'a', model: 'm', metadata: { team: 'a' }, batch_id: 'b1' });
  });

  it('reads a completion of an older producer, which carried its request whole, as carrying its summary, counting an unreported usage with the counter given', () => {
    const counted = { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 };
    const choices = [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }];
    const seen: unknown[] = [];
    const parsed = parseCompletionEvent({ request, status: 'ok', chat: { choices }, provider_latency_ms: 1, stage: 's' }, (whole, answer) => (seen.push(whole, answer), counted));
    expect(parsed.request).toEqual(summary);
    expect(parsed.counted_usage).toEqual(counted);
    expect(seen).toEqual([request, choices]);
    const reported = parseCompletionEvent({ request, status: 'ok', chat: { choices, usage: counted }, provider_latency_ms: 1, stage: 's' }, () => {
      throw new Error('a reported usage is not counted');
    });
    expect(reported).not.toHaveProperty('counted_usage');
  });

  const limits = { owner: 'vk_1', key: { id: 'vk_1', rpm: 5, tpm: null, max_concurrent: null, budget_usd: 1, budget_period: 'day' } };
  const settlement = { type: 'settlement', request_id: 'r', received_at: 1, limits, reservation: { tokens: 10, cost_usd: 0.1 }, tokens: 8, cost_usd: 0.05 };

  it('reads topic requests as a settlement when its type says so, and as a request otherwise', () => {
    expect(parseRequestsTopicEvent(settlement)).toBe(settlement);
    expect(parseRequestsTopicEvent({ ...request, limits })).toEqual({ ...request, limits });
  });

  // Regression: a request refused for its 9 KB model name (invalid_request, by the router) made a completion
  // whose summary the provider-worker and metering refused in turn: its caller's answer was dead-lettered.
  it('reads the completion of a request refused for its model, whatever the model it named', () => {
    for (const model of ['', 'm'.repeat(9 * 1024)]) {
      const refused = { request: { ...summary, model }, status: 'error', error: { code: 'invalid_request', message: 'model is too long' } };
      expect(parseCompletionEvent(refused).request.model).toBe(model);
    }
  });

  it('reads topic usage as a caller outcome when its type says so, and as a usage row otherwise', () => {
    expect(parseUsageTopicEvent(outcome)).toBe(outcome);
    expect(parseUsageTopicEvent(usage)).toBe(usage);
  });

  it.each([
    [() => parseRequestEvent('text'), 'event is not a JSON object'],
    [() => parseRequestEvent({ ...request, kind: 'image' }), 'kind must be one of chat, embed, moderation, rerank, image_generation, transcription, got "image"'],
    [() => parseRequestEvent({ ...request, chat: undefined }), 'chat.messages is missing'],
    [() => parseRequestEvent({ ...request, cache_control: 'max-age=0' }), 'cache_control must be one of no-cache, no-store'],
    [() => parseCompletionEvent({ request: summary, status: 'error' }), 'error is missing on a failed completion'],
    [() => parseCompletionEvent({ request: { ...summary, model: 42 }, status: 'ok' }), 'model must be a string'],
    [() => parseCompletionEvent({ request: { ...summary, reply_to: 'a topic' }, status: 'ok' }), 'reply_to must be a Kafka topic name'],
    [() => parseCompletionEvent({ request: { ...request, chat: undefined }, status: 'ok' }), 'chat.messages is missing'],
    [() => parseRequestsTopicEvent({ ...request, limits: { ...limits, key: { ...limits.key, rpm: -1 } } }), 'limits.key.rpm must be null or a number of at least 0'],
    [() => parseRequestsTopicEvent({ ...request, limits: { ...limits, key: { ...limits.key, budget_period: 'year' } } }), 'limits.key.budget_period must be null or one of day, week, month, total'],
    [() => parseRequestsTopicEvent({ ...settlement, cost_usd: Number.NaN }), 'cost_usd must be a number of at least 0'],
    [() => parseRequestsTopicEvent({ ...settlement, limits: { owner: 'vk 1' } }), "limits.owner must be 1-128 letters, digits, '.', '_', ':' or '-'"],
    [() => parseUsageEvent({ request_id: 'r', ts: 'yesterday', model: 'm', status: 'ok' }), 'ts is not an ISO 8601 time'],
    [() => parseUsageTopicEvent({ ...usage, latency_ms: 'slow' }), 'latency_ms is not a number'],
    [() => parseUsageTopicEvent({ ...outcome, ts: 12 }), 'ts is not an ISO 8601 time'],
    [() => parseUsageTopicEvent({ ...outcome, status: 'ok', error_code: null }), 'status and error_code must be error and deadline_exceeded or provider_unavailable, or cancelled and cancelled'],
    [() => parseUsageTopicEvent({ ...outcome, error_code: 'cancelled' }), 'status and error_code must be error and deadline_exceeded or provider_unavailable, or cancelled and cancelled'],
  ])('says what is wrong with a malformed event (%#)', (parse, reason) => {
    expect(parse).toThrow(new InvalidEventError(reason));
  });
});

describe('contracts', () => {
  it('names every topic once', () => {
    expect(new Set(PIPELINE_TOPICS).size).toBe(Object.keys(TOPICS).length);
    expect(replyTopicFor('abc')).toBe('switchyard.replies.abc');
  });

  it('maps the documented error codes onto gRPC and HTTP statuses', () => {
    expect(ERROR_CODES.model_not_found).toEqual({ grpc: GRPC_STATUS.NOT_FOUND, http: 404 });
    expect(new GatewayError('deadline_exceeded', 'late').grpcStatus).toBe(GRPC_STATUS.DEADLINE_EXCEEDED);
    const body = new GatewayError('provider_rate_limited', 'slow down', { providerStatus: 429, retryAfterMs: 1500 }).toBody();
    expect(GatewayError.fromBody(body)).toMatchObject({ code: 'provider_rate_limited', retryAfterMs: 1500, providerStatus: 429 });
    expect(GatewayError.from(new Error('boom'))).toMatchObject({ code: 'internal', message: 'boom' });
  });
});
