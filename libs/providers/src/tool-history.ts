import type { ChatRequest } from '@switchyard/contracts';

/**
 * What a provider that refuses tool calls in the history of a request without tool definitions
 * (Anthropic, Bedrock's Converse) is told of a tool the history called but this turn does not offer.
 */
export const TOOL_NOT_OFFERED = 'Called earlier in this conversation; not available on this turn.';

/**
 * The tools a request's history called, in first-call order, when the request offers none itself;
 * empty when it offers tools or its history calls none.
 */
export function toolsOnlyInHistory(request: ChatRequest): string[] {
  if (request.tools && request.tools.length > 0) return [];
  return [...new Set(request.messages.flatMap((message) => message.tool_calls ?? []).map((call) => call.function.name))];
}
