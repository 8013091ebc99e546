import { fromOpenAIChatChunk, fromOpenAIChatResponse, fromOpenAIFinishReason, StreamToolCallIndexer } from './translate';
import type { OpenAIChatChunk, OpenAIChatResponse } from './wire';

const chunk = (delta: OpenAIChatChunk['choices'][number]['delta'], finish: string | null = null): OpenAIChatChunk => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta, finish_reason: finish }],
});

describe('OpenAI-format translation', () => {
  it('turns a refusal into the text of the answer', () => {
    const response: OpenAIChatResponse = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: "I'm sorry, I cannot help with that." }, finish_reason: 'stop' }],
    };
    expect(fromOpenAIChatResponse('openai', response).choices[0].message.content).toBe("I'm sorry, I cannot help with that.");
    expect(fromOpenAIChatChunk(chunk({ refusal: "I'm sorry" }))).toEqual([{ index: 0, provider_response_id: 'chatcmpl-1', content: "I'm sorry" }]);
  });

  it.each([
    ['model_length', 'length'],
    ['error', 'error'],
    ['function_call', 'tool_calls'],
    ['content_filter', 'content_filter'],
  ])('maps finish reason %s to %s', (wire, unified) => {
    expect(fromOpenAIFinishReason(wire)).toBe(unified);
  });

  it('keeps OpenAI fragments of one call together and numbers calls sent whole under one index apart', () => {
    const indexer = new StreamToolCallIndexer();
    const indexes = [
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'call_b', function: { name: 'g', arguments: '{}' } }, { id: 'call_c', function: { name: 'h', arguments: '{}' } }] }),
    ].flatMap((wire) => fromOpenAIChatChunk(wire, indexer).flatMap((event) => event.tool_calls!.map((call) => call.index)));
    expect(indexes).toEqual([0, 0, 1, 2]);
  });
});
