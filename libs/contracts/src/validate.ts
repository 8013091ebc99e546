// Validation of what callers send, shared by every front door (gRPC today, HTTP beside it).
import { ROLES, type ChatRequest, type EmbedRequest } from './chat';
import { GatewayError } from './errors';

export function validateChatRequest(request: ChatRequest): void {
  if (!request.model) throw new GatewayError('invalid_request', 'model is required');
  if (!request.messages || request.messages.length === 0) {
    throw new GatewayError('invalid_request', 'messages must contain at least one message');
  }
  request.messages.forEach((message, i) => {
    if (!ROLES.includes(message.role as (typeof ROLES)[number])) {
      throw new GatewayError(
        'invalid_request',
        `messages[${i}].role is ${JSON.stringify(message.role)}; expected one of ${ROLES.join(', ')}`,
      );
    }
    if (message.role === 'tool' && !message.tool_call_id) {
      throw new GatewayError('invalid_request', `messages[${i}] has role tool but no tool_call_id`);
    }
  });
  if (request.temperature !== undefined && (request.temperature < 0 || request.temperature > 2)) {
    throw new GatewayError('invalid_request', 'temperature must be between 0 and 2');
  }
  if (request.top_p !== undefined && (request.top_p < 0 || request.top_p > 1)) {
    throw new GatewayError('invalid_request', 'top_p must be between 0 and 1');
  }
  if (request.max_tokens !== undefined && request.max_tokens < 1) {
    throw new GatewayError('invalid_request', 'max_tokens must be at least 1');
  }
  request.tools?.forEach((tool, i) => {
    if (!tool.function?.name) throw new GatewayError('invalid_request', `tools[${i}].function.name is required`);
    if (tool.function.parameters_json) {
      try {
        JSON.parse(tool.function.parameters_json);
      } catch {
        throw new GatewayError('invalid_request', `tools[${i}].function.parameters_json is not valid JSON`);
      }
    }
  });
}

export function validateEmbedRequest(request: EmbedRequest): void {
  if (!request.model) throw new GatewayError('invalid_request', 'model is required');
  if (!request.input || request.input.length === 0) {
    throw new GatewayError('invalid_request', 'input must contain at least one string');
  }
}
