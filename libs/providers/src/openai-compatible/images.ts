// OpenAI's image generation API (POST /v1/images/generations), as its API reference documents it. Pure
// translators. Images are asked for as base64: response_format is documented for the DALL-E models only
// (gpt-image-1 always answers base64 and refuses the parameter). gpt-image-1 reports usage in tokens;
// a DALL-E image is priced by its size and quality, so the answer says which were asked.
import { GatewayError, type ImageGenerationRequest, type ImageGenerationResult, type ImageQuality, type ImageStyle } from '@switchyard/contracts';

export interface OpenAIImageRequest {
  model: string;
  prompt: string;
  n?: number;
  size?: string;
  quality?: ImageQuality;
  style?: ImageStyle;
  user?: string;
  response_format?: 'b64_json';
}

export interface OpenAIImageResponse {
  created?: number;
  data?: { b64_json?: string; url?: string; revised_prompt?: string }[];
  usage?: { input_tokens?: number; output_tokens?: number; total_tokens?: number };
}

/** The qualities each DALL-E model makes, as OpenAI's API reference documents them. */
const DALL_E_QUALITIES: Readonly<Record<string, readonly ImageQuality[]>> = { 'dall-e-2': ['standard'], 'dall-e-3': ['standard', 'hd'] };

export function toOpenAIImageRequest(request: ImageGenerationRequest): OpenAIImageRequest {
  const body: OpenAIImageRequest = { model: request.model, prompt: request.prompt };
  if (request.n !== undefined) body.n = request.n;
  if (request.size) body.size = request.size;
  // A DALL-E image is billed at the quality asked, so one its model does not make is refused, not guessed at.
  const qualities = DALL_E_QUALITIES[request.model];
  if (request.quality && qualities && !qualities.includes(request.quality)) {
    throw new GatewayError('invalid_request', `${request.model} makes images of quality ${qualities.join(', ')}; quality ${request.quality} is not one`, { param: 'quality' });
  }
  if (request.quality) body.quality = request.quality;
  if (request.style) body.style = request.style;
  if (request.user) body.user = request.user;
  if (request.model.startsWith('dall-e')) body.response_format = 'b64_json';
  return body;
}

/** What OpenAI makes when a DALL-E request names no size or quality. */
const DALL_E_DEFAULT_SIZE = '1024x1024';
const DALL_E_DEFAULT_QUALITY: ImageQuality = 'standard';

export function fromOpenAIImageResponse(provider: string, request: ImageGenerationRequest, response: OpenAIImageResponse | null): ImageGenerationResult {
  const data = response?.data;
  if (!Array.isArray(data) || data.length === 0 || !data.every((image) => typeof image?.b64_json === 'string' || typeof image?.url === 'string')) {
    throw new GatewayError('provider_bad_response', `${provider} returned no images, or images without b64_json or url`);
  }
  const result: ImageGenerationResult = {
    data: data.map((image) => ({
      ...(typeof image.b64_json === 'string' ? { b64_json: image.b64_json } : { url: image.url }),
      ...(image.revised_prompt ? { revised_prompt: image.revised_prompt } : {}),
    })),
  };
  if (request.model.startsWith('dall-e')) {
    result.size = request.size ?? DALL_E_DEFAULT_SIZE;
    result.quality = request.quality ?? DALL_E_DEFAULT_QUALITY;
  }
  const usage = response?.usage;
  if (usage) {
    const prompt = usage.input_tokens ?? 0;
    const completion = usage.output_tokens ?? 0;
    result.usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: usage.total_tokens ?? prompt + completion };
  }
  return result;
}
