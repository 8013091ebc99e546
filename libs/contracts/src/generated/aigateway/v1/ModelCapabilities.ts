// Original file: proto/aigateway/v1/gateway.proto


export interface ModelCapabilities {
  'chat'?: (boolean);
  'streaming'?: (boolean);
  'tools'?: (boolean);
  'vision'?: (boolean);
  'embeddings'?: (boolean);
  'moderation'?: (boolean);
  'rerank'?: (boolean);
  'image_generation'?: (boolean);
  'transcription'?: (boolean);
}

export interface ModelCapabilities__Output {
  'chat': (boolean);
  'streaming': (boolean);
  'tools': (boolean);
  'vision': (boolean);
  'embeddings': (boolean);
  'moderation': (boolean);
  'rerank': (boolean);
  'image_generation': (boolean);
  'transcription': (boolean);
}
