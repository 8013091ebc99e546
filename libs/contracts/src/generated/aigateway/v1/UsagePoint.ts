// Original file: proto/aigateway/v1/admin.proto

import type { UsageFigures as _aigateway_v1_UsageFigures, UsageFigures__Output as _aigateway_v1_UsageFigures__Output } from '../../aigateway/v1/UsageFigures';

export interface UsagePoint {
  /**
   * The bucket's start, ISO 8601.
   */
  'start'?: (string);
  'figures'?: (_aigateway_v1_UsageFigures | null);
}

export interface UsagePoint__Output {
  /**
   * The bucket's start, ISO 8601.
   */
  'start': (string);
  'figures': (_aigateway_v1_UsageFigures__Output | null);
}
