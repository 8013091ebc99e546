// Original file: proto/aigateway/v1/gateway.proto

import type { RerankRanking as _aigateway_v1_RerankRanking, RerankRanking__Output as _aigateway_v1_RerankRanking__Output } from '../../aigateway/v1/RerankRanking';
import type { Usage as _aigateway_v1_Usage, Usage__Output as _aigateway_v1_Usage__Output } from '../../aigateway/v1/Usage';

export interface RerankResponse {
  'id'?: (string);
  'model'?: (string);
  'provider'?: (string);
  /**
   * Most relevant first.
   */
  'results'?: (_aigateway_v1_RerankRanking)[];
  'usage'?: (_aigateway_v1_Usage | null);
  /**
   * Search units the provider billed (Cohere); 0 for one that bills tokens.
   */
  'search_units'?: (number);
  'cost_usd'?: (number | string);
}

export interface RerankResponse__Output {
  'id': (string);
  'model': (string);
  'provider': (string);
  /**
   * Most relevant first.
   */
  'results': (_aigateway_v1_RerankRanking__Output)[];
  'usage': (_aigateway_v1_Usage__Output | null);
  /**
   * Search units the provider billed (Cohere); 0 for one that bills tokens.
   */
  'search_units': (number);
  'cost_usd': (number);
}
