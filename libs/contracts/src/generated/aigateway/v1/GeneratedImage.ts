// Original file: proto/aigateway/v1/gateway.proto


export interface GeneratedImage {
  /**
   * The image's bytes (b64_json in the HTTP API).
   */
  'image'?: (Buffer | Uint8Array | string);
  /**
   * Where the provider hosts the image, for one that answers with URLs.
   */
  'url'?: (string);
  'revised_prompt'?: (string);
}

export interface GeneratedImage__Output {
  /**
   * The image's bytes (b64_json in the HTTP API).
   */
  'image': (Buffer);
  /**
   * Where the provider hosts the image, for one that answers with URLs.
   */
  'url': (string);
  'revised_prompt': (string);
}
