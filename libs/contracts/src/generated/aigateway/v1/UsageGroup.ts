// Original file: proto/aigateway/v1/admin.proto

import type { UsageFigures as _aigateway_v1_UsageFigures, UsageFigures__Output as _aigateway_v1_UsageFigures__Output } from '../../aigateway/v1/UsageFigures';

export interface UsageGroup {
  /**
   * The group's value of each dimension it is grouped by (and key_name with key); a dimension the rows have no value of is absent.
   */
  'dimensions'?: ({[key: string]: string});
  'figures'?: (_aigateway_v1_UsageFigures | null);
}

export interface UsageGroup__Output {
  /**
   * The group's value of each dimension it is grouped by (and key_name with key); a dimension the rows have no value of is absent.
   */
  'dimensions': ({[key: string]: string});
  'figures': (_aigateway_v1_UsageFigures__Output | null);
}
