// Original file: proto/aigateway/v1/gateway.proto


export interface Embedding {
  'index'?: (number);
  'embedding'?: (number | string)[];
}

export interface Embedding__Output {
  'index': (number);
  'embedding': (number)[];
}
