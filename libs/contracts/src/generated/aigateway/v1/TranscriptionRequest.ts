// Original file: proto/aigateway/v1/gateway.proto


export interface TranscriptionRequest {
  'model'?: (string);
  /**
   * The audio file's bytes: at most 25 MB, and within the gRPC server's limits.max_request_bytes.
   */
  'audio'?: (Buffer | Uint8Array | string);
  /**
   * The file's name; its extension tells providers the audio's format (e.g. speech.wav).
   */
  'filename'?: (string);
  /**
   * ISO-639-1 (en) or BCP-47 (en-US); detected when empty.
   */
  'language'?: (string);
  'prompt'?: (string);
  /**
   * json, text, verbose_json, srt or vtt; json when empty. text, srt and vtt fill `formatted`.
   */
  'response_format'?: (string);
  'temperature'?: (number | string);
  'user'?: (string);
  'metadata'?: ({[key: string]: string});
  '_temperature'?: "temperature";
}

export interface TranscriptionRequest__Output {
  'model': (string);
  /**
   * The audio file's bytes: at most 25 MB, and within the gRPC server's limits.max_request_bytes.
   */
  'audio': (Buffer);
  /**
   * The file's name; its extension tells providers the audio's format (e.g. speech.wav).
   */
  'filename': (string);
  /**
   * ISO-639-1 (en) or BCP-47 (en-US); detected when empty.
   */
  'language': (string);
  'prompt': (string);
  /**
   * json, text, verbose_json, srt or vtt; json when empty. text, srt and vtt fill `formatted`.
   */
  'response_format': (string);
  'temperature'?: (number);
  'user': (string);
  'metadata': ({[key: string]: string});
  '_temperature'?: "temperature";
}
