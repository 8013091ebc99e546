// Original file: proto/aigateway/v1/gateway.proto


export interface RerankRequest {
  'model'?: (string);
  'query'?: (string);
  'documents'?: (string)[];
  /**
   * How many of the most relevant documents to return; all when unset.
   */
  'top_n'?: (number);
  'user'?: (string);
  'metadata'?: ({[key: string]: string});
  '_top_n'?: "top_n";
}

export interface RerankRequest__Output {
  'model': (string);
  'query': (string);
  'documents': (string)[];
  /**
   * How many of the most relevant documents to return; all when unset.
   */
  'top_n'?: (number);
  'user': (string);
  'metadata': ({[key: string]: string});
  '_top_n'?: "top_n";
}
