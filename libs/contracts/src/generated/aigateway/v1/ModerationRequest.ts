// Original file: proto/aigateway/v1/gateway.proto


export interface ModerationRequest {
  'model'?: (string);
  'input'?: (string)[];
  'user'?: (string);
  'metadata'?: ({[key: string]: string});
}

export interface ModerationRequest__Output {
  'model': (string);
  'input': (string)[];
  'user': (string);
  'metadata': ({[key: string]: string});
}
