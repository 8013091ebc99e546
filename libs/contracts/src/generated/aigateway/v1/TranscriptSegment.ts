// Original file: proto/aigateway/v1/gateway.proto


export interface TranscriptSegment {
  /**
   * Seconds from the start of the audio.
   */
  'start'?: (number | string);
  'end'?: (number | string);
  'text'?: (string);
}

export interface TranscriptSegment__Output {
  /**
   * Seconds from the start of the audio.
   */
  'start': (number);
  'end': (number);
  'text': (string);
}
