// Pure rewrites of an OpenAI-format body into Mistral's dialect of it (https://docs.mistral.ai/api):
// the seed is `random_seed`, a forced tool call is tool_choice "any", there is no `user`, and
// embeddings take `output_dimension`. Mistral rejects fields it does not know, so none are left over.
import type { EmbedRequest } from '@switchyard/contracts';
import type { OpenAIChatRequest, OpenAIEmbeddingRequest } from '../openai-compatible';

export type MistralChatRequest = Omit<OpenAIChatRequest, 'seed' | 'user' | 'tool_choice'> & {
  random_seed?: number;
  tool_choice?: 'auto' | 'none' | 'any' | { type: 'function'; function: { name: string } };
  safe_prompt?: boolean;
};

export interface MistralEmbeddingRequest {
  model: string;
  input: string[];
  output_dimension?: number;
  encoding_format?: 'float' | 'base64';
}

export interface MistralDialectOptions {
  /** Mistral's `safe_prompt`: prepends its safety system prompt. */
  safePrompt?: boolean;
}

export function toMistralChatRequest(body: OpenAIChatRequest, options: MistralDialectOptions): MistralChatRequest {
  const { seed, user: _user, tool_choice: toolChoice, ...rest } = body;
  const out: MistralChatRequest = rest;
  if (seed !== undefined) out.random_seed = seed;
  if (toolChoice !== undefined) out.tool_choice = toolChoice === 'required' ? 'any' : toolChoice;
  if (options.safePrompt) out.safe_prompt = true;
  return out;
}

export function toMistralEmbeddingRequest(body: OpenAIEmbeddingRequest, request: EmbedRequest): MistralEmbeddingRequest {
  const out: MistralEmbeddingRequest = { model: body.model, input: body.input, encoding_format: 'float' };
  if (request.dimensions) out.output_dimension = request.dimensions;
  return out;
}
