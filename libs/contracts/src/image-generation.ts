// The unified image generation request and answer (POST /v1/images/generations in OpenAI's format,
// gRPC GenerateImage): a prompt in, images out as base64 (or URLs where the provider hosts them).
import type { Usage } from './chat';

/**
 * The qualities a caller may ask, as OpenAI's Images API names them: standard and hd (DALL-E 3; DALL-E 2
 * makes standard only), low, medium and high (gpt-image-1). `auto`, the provider's choice, is no quality.
 */
export type ImageQuality = 'standard' | 'hd' | 'low' | 'medium' | 'high';
export const IMAGE_QUALITIES: readonly ImageQuality[] = ['standard', 'hd', 'low', 'medium', 'high'];

/** The styles DALL-E 3 makes: vivid (hyper-real, its default) or natural. */
export type ImageStyle = 'vivid' | 'natural';
export const IMAGE_STYLES: readonly ImageStyle[] = ['vivid', 'natural'];

export interface ImageGenerationRequest {
  model: string;
  prompt: string;
  /** How many images; 1 when absent. */
  n?: number;
  /** WIDTHxHEIGHT, e.g. 1024x1024; the provider's default when absent. */
  size?: string;
  /** The provider's default when absent; a DALL-E image is priced by it. */
  quality?: ImageQuality;
  /** DALL-E 3's style; its default, vivid, when absent. */
  style?: ImageStyle;
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
