// Original file: proto/aigateway/v1/gateway.proto


export interface EmbedRequest {
  'model'?: (string);
  'input'?: (string)[];
  'dimensions'?: (number);
  'user'?: (string);
  'metadata'?: ({[key: string]: string});
  '_dimensions'?: "dimensions";
}

export interface EmbedRequest__Output {
  'model': (string);
  'input': (string)[];
  'dimensions'?: (number);
  'user': (string);
  'metadata': ({[key: string]: string});
  '_dimensions'?: "dimensions";
}
