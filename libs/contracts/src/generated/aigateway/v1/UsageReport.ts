// Original file: proto/aigateway/v1/admin.proto

import type { UsageFigures as _aigateway_v1_UsageFigures, UsageFigures__Output as _aigateway_v1_UsageFigures__Output } from '../../aigateway/v1/UsageFigures';
import type { UsageGroup as _aigateway_v1_UsageGroup, UsageGroup__Output as _aigateway_v1_UsageGroup__Output } from '../../aigateway/v1/UsageGroup';
import type { UsagePoint as _aigateway_v1_UsagePoint, UsagePoint__Output as _aigateway_v1_UsagePoint__Output } from '../../aigateway/v1/UsagePoint';

export interface UsageReport {
  'from'?: (string);
  'to'?: (string);
  'bucket'?: (string);
  'group_by'?: (string)[];
  'filters'?: ({[key: string]: string});
  'totals'?: (_aigateway_v1_UsageFigures | null);
  /**
   * The busiest first.
   */
  'groups'?: (_aigateway_v1_UsageGroup)[];
  /**
   * Every bucket of the range, the empty ones included.
   */
  'series'?: (_aigateway_v1_UsagePoint)[];
}

export interface UsageReport__Output {
  'from': (string);
  'to': (string);
  'bucket': (string);
  'group_by': (string)[];
  'filters': ({[key: string]: string});
  'totals': (_aigateway_v1_UsageFigures__Output | null);
  /**
   * The busiest first.
   */
  'groups': (_aigateway_v1_UsageGroup__Output)[];
  /**
   * Every bucket of the range, the empty ones included.
   */
  'series': (_aigateway_v1_UsagePoint__Output)[];
}
