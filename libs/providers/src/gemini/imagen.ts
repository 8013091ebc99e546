// Imagen through the Gemini API (POST models/{model}:predict), as its reference documents it: the
// prompt as an instance, sampleCount and aspectRatio as parameters, images back as base64 predictions.
// Imagen leaves out the images its safety filters block; none at all is an answer the gateway cannot pass on.
// Its parameters have no quality or style, so a request naming either is refused rather than served as
// something other than what was asked.
import { GatewayError, type ImageGenerationRequest, type ImageGenerationResult } from '@switchyard/contracts';

export interface ImagenPredictRequest {
  instances: { prompt: string }[];
  parameters: { sampleCount: number; aspectRatio?: string };
}

export interface ImagenPredictResponse {
  predictions?: { bytesBase64Encoded?: string; mimeType?: string; prompt?: string }[];
}

/** The aspect ratios Imagen makes. */
export const IMAGEN_ASPECT_RATIOS: readonly string[] = ['1:1', '3:4', '4:3', '9:16', '16:9'];

export function toImagenRequest(request: ImageGenerationRequest): ImagenPredictRequest {
  for (const param of ['quality', 'style'] as const) {
    if (request[param]) throw new GatewayError('invalid_request', `Imagen takes no ${param}; send the request without it`, { param });
  }
  const body: ImagenPredictRequest = { instances: [{ prompt: request.prompt }], parameters: { sampleCount: request.n ?? 1 } };
  if (request.size) body.parameters.aspectRatio = aspectRatioOf(request.size);
  return body;
}

function aspectRatioOf(size: string): string {
  const [width, height] = size.split('x').map(Number);
  const divisor = gcd(width, height);
  const ratio = `${width / divisor}:${height / divisor}`;
  if (!IMAGEN_ASPECT_RATIOS.includes(ratio)) {
    throw new GatewayError('invalid_request', `Imagen makes images of aspect ratio ${IMAGEN_ASPECT_RATIOS.join(', ')}; size ${size} is ${ratio}`, { param: 'size' });
  }
  return ratio;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

export function fromImagenResponse(provider: string, response: ImagenPredictResponse | null): ImageGenerationResult {
  const images = (response?.predictions ?? []).filter((prediction) => typeof prediction?.bytesBase64Encoded === 'string');
  if (images.length === 0) throw new GatewayError('provider_bad_response', `${provider} returned no images (Imagen leaves out those its safety filters block)`);
  return { data: images.map((image) => ({ b64_json: image.bytesBase64Encoded!, ...(image.prompt ? { revised_prompt: image.prompt } : {}) })) };
}
