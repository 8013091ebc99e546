import { GatewayError, type ResponseFormat } from '@switchyard/contracts';

/**
 * The JSON Schema (as JSON text) that a caller's response_format asks the answer to follow, for APIs
 * whose only JSON mode is a schema (Anthropic's output_config, Bedrock Converse's outputConfig).
 * Undefined for plain text. A bare JSON object (json_object, or json_schema without a schema) has no
 * equivalent there, and is refused rather than dropped: the caller would otherwise get prose where it
 * expects JSON.
 */
export function requiredJsonSchema(provider: string, format: ResponseFormat | null | undefined): string | undefined {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_schema' && format.json_schema) return format.json_schema;
  if (format.type === 'json_object' || format.type === 'json_schema') {
    throw new GatewayError(
      'unsupported_capability',
      `${provider} has no JSON mode without a schema: send response_format {"type":"json_schema","json_schema":{"name":...,"schema":{...}}}`,
    );
  }
  throw new GatewayError('unsupported_capability', `${provider} does not support response_format type ${JSON.stringify(format.type)}`);
}
