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
    if (tool.function.parameters_json) checkJsonText(tool.function.parameters_json, `tools[${i}].function.parameters_json`);
  });
  if (request.response_format?.json_schema) checkJsonText(request.response_format.json_schema, 'response_format.json_schema');
}

// JSON Schemas are a few levels deep. Thousands of levels parse, but every provider adapter writes them
// back as text, which recurses once a level and overflows the stack.
const MAX_JSON_DEPTH = 256;

function checkJsonText(text: string, field: string): void {
  try {
    JSON.parse(text);
  } catch {
    throw new GatewayError('invalid_request', `${field} is not valid JSON`);
  }
  if (jsonDepth(text) > MAX_JSON_DEPTH) throw new GatewayError('invalid_request', `${field} is nested more than ${MAX_JSON_DEPTH} levels deep`);
}

/** How deeply a JSON text nests arrays and objects, read in one pass (no recursion to overflow). */
function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

export function validateEmbedRequest(request: EmbedRequest): void {
  if (!request.model) throw new GatewayError('invalid_request', 'model is required');
  if (!request.input || request.input.length === 0) {
    throw new GatewayError('invalid_request', 'input must contain at least one string');
  }
}
