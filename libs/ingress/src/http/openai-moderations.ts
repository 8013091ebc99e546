// Pure translators between OpenAI's moderations API (POST /v1/moderations) and the unified model. The
// input is a string, an array of strings, or OpenAI's multi-modal array; of the latter only text parts
// are taken, as no moderation provider behind the gateway classifies images.
import { InvalidFieldError, type ModerationRequest, type ModerationResponse } from '@switchyard/contracts';
import { z } from 'zod';
import { parseBody } from './validation';

/** The model OpenAI's API moderates with when the request names none. */
export const DEFAULT_MODERATION_MODEL = 'omni-moderation-latest';

const moderationPartSchema = z.discriminatedUnion(
  'type',
  [z.object({ type: z.literal('text'), text: z.string() }), z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string() }) })],
  { error: 'must be a text or image_url part' },
);

const moderationsRequestSchema = z.object({
  model: z.string().min(1).optional(),
  input: z.union([z.string(), z.array(z.string()).min(1, 'must contain at least one string'), z.array(moderationPartSchema).min(1, 'must contain at least one part')], {
    error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string, an array of strings, or an array of text parts'),
  }),
});

export function fromOpenAIModerationsRequest(body: unknown): ModerationRequest {
  const parsed = parseBody(moderationsRequestSchema, body);
  const input = typeof parsed.input === 'string' ? [parsed.input] : parsed.input.map((item, index) => (typeof item === 'string' ? item : textOf(item, index)));
  return { model: parsed.model ?? DEFAULT_MODERATION_MODEL, input };
}

function textOf(part: z.infer<typeof moderationPartSchema>, index: number): string {
  if (part.type === 'image_url') throw new InvalidFieldError(`input[${index}]`, 'is an image; the gateway moderates text only');
  return part.text;
}

export function toOpenAIModerations(response: ModerationResponse) {
  return {
    id: response.id,
    model: response.model,
    results: response.results.map((result) => ({ flagged: result.flagged, categories: result.categories, category_scores: result.category_scores })),
  };
}
