// Gemini 3 signs the reasoning behind a function call (a thoughtSignature on the call's part) and
// refuses a later turn whose history returns the call without it (400 "Function call is missing a
// thought_signature"). Callers of an OpenAI- or Anthropic-shaped API keep nothing of a call but its id,
// so the signature travels in the id, base64url-encoded to keep ids within [A-Za-z0-9_-] as Anthropic
// requires, and is put back on the part when the call returns in a request to Gemini. To every other
// provider the id goes without it: OpenAI refuses ids over 64 characters, and a signature is hundreds.
import type { ChatMessage } from '@switchyard/contracts';
import type { ProviderAdapter, ProviderChatRequest } from './provider';

const SIGNATURE_MARK = '__thought__';

export function withThoughtSignature(id: string, signature: string | undefined): string {
  if (!signature) return id;
  return id + SIGNATURE_MARK + signature.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The thought signature a tool call id carries, in the base64 Gemini sent; undefined when none. */
export function thoughtSignatureOf(id: string): string | undefined {
  const at = id.indexOf(SIGNATURE_MARK);
  if (at < 0) return undefined;
  const encoded = id.slice(at + SIGNATURE_MARK.length).replace(/-/g, '+').replace(/_/g, '/');
  return encoded ? encoded + '='.repeat((4 - (encoded.length % 4)) % 4) : undefined;
}

/** The id as the provider first gave it, without a thought signature. */
export function withoutThoughtSignature(id: string): string {
  const at = id.indexOf(SIGNATURE_MARK);
  return at < 0 ? id : id.slice(0, at);
}

const signed = (id: string | undefined) => id !== undefined && id.includes(SIGNATURE_MARK);

/** The request with no thought signature in its tool call ids; the same object when it has none. */
export function withoutThoughtSignatures(request: ProviderChatRequest): ProviderChatRequest {
  const carries = request.messages.some((message) => signed(message.tool_call_id) || message.tool_calls?.some((call) => signed(call.id)));
  if (!carries) return request;
  const messages = request.messages.map((message): ChatMessage => {
    const copy = { ...message };
    if (message.tool_call_id !== undefined) copy.tool_call_id = withoutThoughtSignature(message.tool_call_id);
    if (message.tool_calls) copy.tool_calls = message.tool_calls.map((call) => ({ ...call, id: withoutThoughtSignature(call.id) }));
    return copy;
  });
  return { ...request, messages };
}

/** The adapter, its chat requests rid of thought signatures: for every provider but Gemini. */
export function forgettingThoughtSignatures(adapter: ProviderAdapter): ProviderAdapter {
  // Every other capability goes through as the adapter offers it.
  return {
    ...adapter,
    ...(adapter.chat ? { chat: (request, options) => adapter.chat!(withoutThoughtSignatures(request), options) } : {}),
    ...(adapter.chatStream ? { chatStream: (request, options) => adapter.chatStream!(withoutThoughtSignatures(request), options) } : {}),
  };
}
