// Original file: proto/aigateway/v1/gateway.proto


export interface ImageGenerationRequest {
  'model'?: (string);
  'prompt'?: (string);
  /**
   * How many images; 1 when unset.
   */
  'n'?: (number);
  /**
   * WIDTHxHEIGHT, e.g. 1024x1024; the provider's default when empty.
   */
  'size'?: (string);
  'user'?: (string);
  'metadata'?: ({[key: string]: string});
  /**
   * standard or hd (DALL-E 3; DALL-E 2 makes standard only), low, medium or high (gpt-image-1); the
   * provider's default when empty or auto. A DALL-E image is priced by it.
   */
  'quality'?: (string);
  /**
   * vivid or natural (DALL-E 3); its default, vivid, when empty.
   */
  'style'?: (string);
  '_n'?: "n";
}

export interface ImageGenerationRequest__Output {
  'model': (string);
  'prompt': (string);
  /**
   * How many images; 1 when unset.
   */
  'n'?: (number);
  /**
   * WIDTHxHEIGHT, e.g. 1024x1024; the provider's default when empty.
   */
  'size': (string);
  'user': (string);
  'metadata': ({[key: string]: string});
  /**
   * standard or hd (DALL-E 3; DALL-E 2 makes standard only), low, medium or high (gpt-image-1); the
   * provider's default when empty or auto. A DALL-E image is priced by it.
   */
  'quality': (string);
  /**
   * vivid or natural (DALL-E 3); its default, vivid, when empty.
   */
  'style': (string);
  '_n'?: "n";
}
