// Original file: proto/aigateway/v1/batch.proto


export interface DeletedFile {
  'id'?: (string);
  'deleted'?: (boolean);
}

export interface DeletedFile__Output {
  'id': (string);
  'deleted': (boolean);
}
