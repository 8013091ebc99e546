import type { BatchEndpoint, BatchLine, BatchStore, LineResult } from '@switchyard/batch';
import type { ReplyEvent } from '@switchyard/contracts';
import { batchReplyRecorder } from './batch-lines';

// The store as the recorder sees it: the lines without a result, and what it settles.
function storeOf(endpoint: BatchEndpoint, lines: BatchLine[]) {
  const settled: { batchId: string; customId: string; result: LineResult }[] = [];
  const store: Pick<BatchStore, 'pendingLine' | 'settleLine'> = {
    pendingLine: async (batchId, line) => {
      const found = lines.find((each) => each.batch_id === batchId && each.line === line && !settled.some((done) => done.customId === each.custom_id));
      return found && { ...found, endpoint };
    },
    settleLine: async (batchId, customId, result) => {
      settled.push({ batchId, customId, result });
      return true;
    },
  };
  return { store, settled };
}

const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };

describe('a batch request\'s reply recorded in its batch', () => {
  it('records a chat answer as the OpenAI completion of the line the request id names, once', async () => {
    const { store, settled } = storeOf('/v1/chat/completions', [
      { batch_id: 'batch_a', custom_id: 'first', line: 1, body: {} },
      { batch_id: 'batch_a', custom_id: 'second', line: 2, body: {} },
    ]);
    const record = batchReplyRecorder(store);
    const reply: ReplyEvent = { request_id: 'batch_a-2', type: 'chat', response: { id: 'r', model: 'gpt', provider: 'openai', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage, cost_usd: 0.01 } };
    await record(reply, 'batch_a');
    await record(reply, 'batch_a');
    expect(settled.map(({ customId, result }) => [customId, result.response?.status_code, result.response?.request_id, (result.response?.body as { choices: { message: { content: string } }[] }).choices[0].message.content])).toEqual([['second', 200, 'batch_a-2', 'hi']]);
  });

  it('records embeddings in the encoding the line asked for', async () => {
    const { store, settled } = storeOf('/v1/embeddings', [{ batch_id: 'batch_e', custom_id: 'vec', line: 1, body: { model: 'e', input: 'x', encoding_format: 'base64' } }]);
    await batchReplyRecorder(store)({ request_id: 'batch_e-1', type: 'embed', response: { id: 'r', model: 'e', provider: 'openai', data: [{ index: 0, embedding: [1, 0] }], usage: { prompt_tokens: 1, completion_tokens: 0, total_tokens: 1 }, cost_usd: 0 } }, 'batch_e');
    expect((settled[0].result.response?.body as { data: { embedding: unknown }[] }).data[0].embedding).toBe(Buffer.from(new Float32Array([1, 0]).buffer).toString('base64'));
  });

  it('records an error with its HTTP status, and leaves a "not now" refusal and another batch\'s request alone', async () => {
    const { store, settled } = storeOf('/v1/chat/completions', [{ batch_id: 'batch_a', custom_id: 'only', line: 1, body: {} }]);
    const record = batchReplyRecorder(store);
    await record({ request_id: 'batch_a-1', type: 'error', error: { code: 'rate_limited', message: 'later' } }, 'batch_a');
    await record({ request_id: 'batch_b-1', type: 'error', error: { code: 'provider_unavailable', message: 'x' } }, 'batch_a');
    expect(settled).toEqual([]);
    await record({ request_id: 'batch_a-1', type: 'error', error: { code: 'model_not_found', message: 'no such model' } }, 'batch_a');
    expect(settled.map(({ customId, result }) => [customId, result.response?.status_code, (result.response?.body as { error: { code: string } }).error.code])).toEqual([['only', 404, 'model_not_found']]);
  });
});
