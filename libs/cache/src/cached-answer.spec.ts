import { replayedChunks, type CachedAnswer } from './cached-answer';

const route = { provider: 'openai', upstream_model: 'gpt' };

describe('replaying a cached answer as a stream', () => {
  it('gives the chunks the first caller got, in their order', () => {
    const chunks = [
      { index: 0, delta: { role: 'assistant', content: 'Hel' } },
      { index: 0, delta: { content: 'lo' } },
    ];
    const answer: CachedAnswer = { route, chat: { choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }] }, chunks };
    expect(replayedChunks(answer)).toEqual(chunks);
  });

  it('gives each choice of an answer that was not streamed in one chunk, tool calls indexed', () => {
    const answer: CachedAnswer = {
      route,
      chat: {
        choices: [
          { index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' },
          { index: 1, message: { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'tool_calls' },
        ],
      },
    };
    expect(replayedChunks(answer)).toEqual([
      { index: 0, delta: { role: 'assistant', content: 'Hello' } },
      { index: 1, delta: { role: 'assistant', tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] } },
    ]);
  });
});
