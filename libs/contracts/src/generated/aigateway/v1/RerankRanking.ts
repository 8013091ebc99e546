// Original file: proto/aigateway/v1/gateway.proto


export interface RerankRanking {
  /**
   * The document's place in the request's documents.
   */
  'index'?: (number);
  'relevance_score'?: (number | string);
}

export interface RerankRanking__Output {
  /**
   * The document's place in the request's documents.
   */
  'index': (number);
  'relevance_score': (number);
}
