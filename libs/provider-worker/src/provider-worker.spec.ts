import { GatewayError, TOPICS, type ChatResult, type RequestEvent } from '@switchyard/contracts';
import type { StageContext, StageOutput } from '@switchyard/pipeline';
import { createMockProvider, type ChatStreamEvent, type ProviderAdapter } from '@switchyard/providers';
import { createProviderWorker } from './provider-worker';

const request = (overrides: Partial<RequestEvent> = {}): RequestEvent => ({
  request_id: 'r1',
  kind: 'chat',
  stream: false,
  reply_to: 'switchyard.replies.i1',
  received_at: Date.now(),
  deadline_at: Date.now() + 5000,
  api_key_id: 'anonymous',
  chat: { model: 'fast', messages: [{ role: 'user', content: 'echo this back' }] },
  route: { provider: 'mock', upstream_model: 'mock-echo' },
  ...overrides,
});

function context(emitted: StageOutput[] = []): StageContext {
  return { emit: async (output) => void emitted.push(output), span: { setAttributes: () => undefined } as never, logger: {} as never };
}

describe('provider-worker', () => {
  it('calls the routed provider with its own model name and hands the result to metering', async () => {
    const seen: string[] = [];
    const spy: ProviderAdapter = {
      name: 'mock',
      chat: async (chat) => {
        seen.push(chat.model);
        return { choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] } satisfies ChatResult;
      },
    };
    const worker = createProviderWorker(new Map([['mock', spy]]));
    const [output] = await worker.stage.handle(request(), context());
    expect(seen).toEqual(['mock-echo']);
    expect(output).toMatchObject({ topic: TOPICS.completions, value: { status: 'ok', chat: { choices: [{ message: { content: 'ok' } }] } } });
  });

  it('sends each streamed piece to the caller as it arrives, and the whole to metering', async () => {
    const worker = createProviderWorker(new Map([['mock', createMockProvider({ latencyMs: 0 })]]));
    const emitted: StageOutput[] = [];
    const [output] = await worker.stage.handle(request({ stream: true }), context(emitted));
    expect(emitted.length).toBeGreaterThanOrEqual(3);
    expect(emitted.every((piece) => piece.topic === 'switchyard.replies.i1')).toBe(true);
    const text = emitted.map((piece) => (piece.value as { chunk: { delta: { content?: string } } }).chunk.delta.content ?? '').join('');
    expect(text).toBe('echo this back');
    expect(output.value).toMatchObject({ status: 'ok', chat: { choices: [{ message: { content: 'echo this back' }, finish_reason: 'stop' }] } });
    expect((output.value as { time_to_first_chunk_ms: number }).time_to_first_chunk_ms).toBeGreaterThanOrEqual(0);
  });

  it('stops the upstream call when the caller cancels, and records it as cancelled', async () => {
    let upstreamAborted = false;
    const endless: ProviderAdapter = {
      name: 'slow',
      async *chatStream(_chat, { signal }): AsyncIterable<ChatStreamEvent> {
        yield { index: 0, content: 'first' };
        await new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => {
            upstreamAborted = true;
            reject(signal.reason);
          }),
        );
      },
    };
    const worker = createProviderWorker(new Map([['slow', endless]]));
    const handling = worker.stage.handle(request({ stream: true, route: { provider: 'slow', upstream_model: 'x' } }), context());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(worker.inFlight()).toBe(1);
    await worker.cancellations.handle({ request_id: 'r1', reason: 'client_cancelled' }, context());
    const [output] = await handling;
    expect(upstreamAborted).toBe(true);
    expect(output.value).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
    expect(worker.inFlight()).toBe(0);
  });

  it('gives up at the caller deadline', async () => {
    const worker = createProviderWorker(new Map([['mock', createMockProvider({ latencyMs: 5000 })]]));
    const [output] = await worker.stage.handle(request({ deadline_at: Date.now() + 50 }), context());
    expect(output.value).toMatchObject({ status: 'error', error: { code: 'provider_timeout' } });
  });

  it('maps a provider failure to an error completion that keeps the provider message', async () => {
    const failing: ProviderAdapter = {
      name: 'mock',
      chat: async () => {
        throw new GatewayError('provider_rate_limited', 'mock returned 429: slow down', { providerStatus: 429, retryAfterMs: 1000 });
      },
    };
    const worker = createProviderWorker(new Map([['mock', failing]]));
    const [output] = await worker.stage.handle(request(), context());
    expect(output.value).toMatchObject({ status: 'error', error: { code: 'provider_rate_limited', message: 'mock returned 429: slow down', retry_after_ms: 1000, provider_status: 429 } });
  });
});
