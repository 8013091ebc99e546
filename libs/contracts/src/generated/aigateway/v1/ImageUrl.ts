// Original file: proto/aigateway/v1/gateway.proto


export interface ImageUrl {
  /**
   * An https URL or a data: URL.
   */
  'url'?: (string);
  /**
   * auto, low or high, where the provider supports it.
   */
  'detail'?: (string);
}

export interface ImageUrl__Output {
  /**
   * An https URL or a data: URL.
   */
  'url': (string);
  /**
   * auto, low or high, where the provider supports it.
   */
  'detail': (string);
}
