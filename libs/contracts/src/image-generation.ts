// The unified image generation request and answer (POST /v1/images/generations in OpenAI's format,
// gRPC GenerateImage): a prompt in, images out as base64 (or URLs where the provider hosts them).
import type { Usage } from './chat';

export interface ImageGenerationRequest {
  model: string;
  prompt: string;
  /** How many images; 1 when absent. */
  n?: number;
  /** WIDTHxHEIGHT, e.g. 1024x1024; the provider's default when absent. */
  size?: string;
  user?: string;
  metadata?: Record<string, string>;
}

export interface GeneratedImage {
  /** The image's bytes as base64. */
  b64_json?: string;
  /** Where the provider hosts the image, for one that answers with URLs. */
  url?: string;
  /** The prompt as the provider rewrote it, where it does (DALL-E 3, Imagen). */
  revised_prompt?: string;
}

export interface ImageGenerationResponse {
  id: string;
  model: string;
  provider: string;
  created: number;
  data: GeneratedImage[];
  /** The images made (usage.images), and tokens where the provider reports them. */
  usage: Usage;
  cost_usd: number;
}
