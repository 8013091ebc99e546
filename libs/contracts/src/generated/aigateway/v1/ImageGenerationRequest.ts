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
  '_n'?: "n";
}
