import type { ChatRequest } from '@switchyard/contracts';
import type { ProviderAdapter } from './provider';
import { forgettingThoughtSignatures, thoughtSignatureOf, withoutThoughtSignature, withoutThoughtSignatures, withThoughtSignature } from './thought-signatures';

const signedId = withThoughtSignature('call_0123456789abcdef01234567', 'CiQB+/9x'.repeat(40));

const history: ChatRequest = {
  model: 'gpt-4o',
  messages: [
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', tool_calls: [{ id: signedId, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    { role: 'tool', tool_call_id: signedId, content: '{"temp":18}' },
  ],
};

describe('thought signatures in tool call ids', () => {
  it('are read back from the id as Gemini sent them', () => {
    expect(signedId).toMatch(/^call_0123456789abcdef01234567__thought__[A-Za-z0-9_-]+$/);
    expect(thoughtSignatureOf(signedId)).toBe('CiQB+/9x'.repeat(40));
    expect(thoughtSignatureOf('call_plain')).toBeUndefined();
  });

  // Regression: a Gemini conversation sent on to another provider (a fallback, a model switch) kept the
  // signed ids, which OpenAI refuses (over 64 characters) and Anthropic would have to carry for nothing.
  it('are left out of a request for another provider, call and result still paired', () => {
    const stripped = withoutThoughtSignatures(history);
    expect(stripped.messages[1].tool_calls![0].id).toBe('call_0123456789abcdef01234567');
    expect(stripped.messages[2].tool_call_id).toBe('call_0123456789abcdef01234567');
    expect(history.messages[1].tool_calls![0].id).toBe(signedId);
    const plain: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    expect(withoutThoughtSignatures(plain)).toBe(plain);
    expect(withoutThoughtSignature('call_plain')).toBe('call_plain');
  });

  it('never reach the adapter that forgets them, streamed or not', async () => {
    const seen: ChatRequest[] = [];
    const adapter: ProviderAdapter = {
      name: 'openai',
      chat: async (request) => {
        seen.push(request);
        return { choices: [] };
      },
      async *chatStream(request) {
        seen.push(request);
        yield { index: 0, content: 'ok' };
      },
    };
    const forgetting = forgettingThoughtSignatures(adapter);
    await forgetting.chat!(history, { signal: AbortSignal.timeout(1000) });
    for await (const _event of forgetting.chatStream!(history, { signal: AbortSignal.timeout(1000) }));
    expect(seen.map((request) => request.messages[2].tool_call_id)).toEqual(['call_0123456789abcdef01234567', 'call_0123456789abcdef01234567']);
    expect(forgetting.name).toBe('openai');
    expect(forgetting.embed).toBeUndefined();
  });
});
