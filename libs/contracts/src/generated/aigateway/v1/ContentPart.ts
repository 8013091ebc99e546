// Original file: proto/aigateway/v1/gateway.proto

import type { ImageUrl as _aigateway_v1_ImageUrl, ImageUrl__Output as _aigateway_v1_ImageUrl__Output } from '../../aigateway/v1/ImageUrl';
import type { InlineImage as _aigateway_v1_InlineImage, InlineImage__Output as _aigateway_v1_InlineImage__Output } from '../../aigateway/v1/InlineImage';

export interface ContentPart {
  'text'?: (string);
  'image_url'?: (_aigateway_v1_ImageUrl | null);
  'image'?: (_aigateway_v1_InlineImage | null);
  'part'?: "text"|"image_url"|"image";
}

export interface ContentPart__Output {
  'text'?: (string);
  'image_url'?: (_aigateway_v1_ImageUrl__Output | null);
  'image'?: (_aigateway_v1_InlineImage__Output | null);
  'part'?: "text"|"image_url"|"image";
}
