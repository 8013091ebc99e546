// Original file: proto/aigateway/v1/gateway.proto

import type { GeneratedImage as _aigateway_v1_GeneratedImage, GeneratedImage__Output as _aigateway_v1_GeneratedImage__Output } from '../../aigateway/v1/GeneratedImage';
import type { Usage as _aigateway_v1_Usage, Usage__Output as _aigateway_v1_Usage__Output } from '../../aigateway/v1/Usage';
import type { Long } from '@grpc/proto-loader';

export interface ImageGenerationResponse {
  'id'?: (string);
  'model'?: (string);
  'provider'?: (string);
  /**
   * Unix seconds.
   */
  'created'?: (number | string | Long);
  'data'?: (_aigateway_v1_GeneratedImage)[];
  'usage'?: (_aigateway_v1_Usage | null);
  /**
   * The images made, what a generation is billed by.
   */
  'images'?: (number);
  'cost_usd'?: (number | string);
}

export interface ImageGenerationResponse__Output {
  'id': (string);
  'model': (string);
  'provider': (string);
  /**
   * Unix seconds.
   */
  'created': (number);
  'data': (_aigateway_v1_GeneratedImage__Output)[];
  'usage': (_aigateway_v1_Usage__Output | null);
  /**
   * The images made, what a generation is billed by.
   */
  'images': (number);
  'cost_usd': (number);
}
