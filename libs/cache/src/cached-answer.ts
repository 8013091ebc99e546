// What the response cache keeps of an answer, and how a stored answer is replayed to a streaming caller.
import type { ChatChunk, ChatResult, GuardrailFinding, Route } from '@switchyard/contracts';

/** A piece of a streamed answer as the caller got it (the chunk's choice index and delta). */
export type CachedChunk = Pick<ChatChunk, 'index' | 'delta'>;

export interface CachedAnswer {
  /** The target that produced the answer: a hit's usage row names it, and prices what the hit saved. */
  route: Route;
  chat: ChatResult;
  /** The chunks the first caller got, in order, when the answer was streamed. */
  chunks?: CachedChunk[];
  /** What the output guardrails found in the answer (it is stored as they left it): a hit's row says the same. */
  findings?: GuardrailFinding[];
}

/**
 * The chunks a streaming caller gets for a stored answer: those the first caller got, in their order,
 * or for an answer that was not streamed, each choice's message in one chunk. Usage and the finish
 * reason follow in the last chunk, which metering sends, as for any streamed answer.
 */
export function replayedChunks(answer: CachedAnswer): CachedChunk[] {
  if (answer.chunks) return answer.chunks;
  return answer.chat.choices.map(({ index, message }) => ({
    index,
    delta: {
      role: message.role,
      ...(message.content ? { content: message.content } : {}),
      ...(message.tool_calls?.length ? { tool_calls: message.tool_calls.map((call, at) => ({ index: at, id: call.id, type: call.type, function: call.function })) } : {}),
    },
  }));
}
