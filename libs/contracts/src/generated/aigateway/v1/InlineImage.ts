// Original file: proto/aigateway/v1/gateway.proto


export interface InlineImage {
  /**
   * e.g. image/png, image/jpeg.
   */
  'mime_type'?: (string);
  'data'?: (Buffer | Uint8Array | string);
}

export interface InlineImage__Output {
  /**
   * e.g. image/png, image/jpeg.
   */
  'mime_type': (string);
  'data': (Buffer);
}
