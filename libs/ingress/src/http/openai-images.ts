// Pure translators between OpenAI's image generation API (POST /v1/images/generations) and the unified
// model. Images come back as base64 (b64_json): providers such as Imagen host none, so `url` cannot be
// honoured everywhere and is refused. quality and style are passed on as sent; validateImageGenerationRequest
// bounds them for every front door.
import type { ImageGenerationRequest, ImageGenerationResponse, ImageQuality, ImageStyle } from '@switchyard/contracts';
import { z } from 'zod';
import { parseBody } from './validation';

/** The model OpenAI's API generates with when the request names none. */
export const DEFAULT_IMAGE_MODEL = 'dall-e-2';

const imagesRequestSchema = z.object({
  model: z.string().min(1).optional(),
  prompt: z.string(),
  n: z.number().int().optional(),
  size: z.string().optional(),
  quality: z.string().optional(),
  style: z.string().optional(),
  response_format: z.literal('b64_json', { error: 'must be b64_json: the gateway returns images inline, as not every provider hosts them' }).optional(),
  user: z.string().optional(),
});

export function fromOpenAIImagesRequest(body: unknown): ImageGenerationRequest {
  const parsed = parseBody(imagesRequestSchema, body);
  const request: ImageGenerationRequest = { model: parsed.model ?? DEFAULT_IMAGE_MODEL, prompt: parsed.prompt };
  if (parsed.n !== undefined) request.n = parsed.n;
  if (parsed.size !== undefined && parsed.size !== 'auto') request.size = parsed.size;
  if (parsed.quality !== undefined && parsed.quality !== 'auto') request.quality = parsed.quality as ImageQuality;
  if (parsed.style !== undefined) request.style = parsed.style as ImageStyle;
  if (parsed.user) request.user = parsed.user;
  return request;
}

export function toOpenAIImages(response: ImageGenerationResponse) {
  return {
    created: response.created,
    data: response.data.map((image) => ({
      ...(image.b64_json !== undefined ? { b64_json: image.b64_json } : {}),
      ...(image.url !== undefined ? { url: image.url } : {}),
      ...(image.revised_prompt !== undefined ? { revised_prompt: image.revised_prompt } : {}),
    })),
  };
}
