// Original file: proto/aigateway/v1/gateway.proto

import type { TranscriptSegment as _aigateway_v1_TranscriptSegment, TranscriptSegment__Output as _aigateway_v1_TranscriptSegment__Output } from '../../aigateway/v1/TranscriptSegment';
import type { Usage as _aigateway_v1_Usage, Usage__Output as _aigateway_v1_Usage__Output } from '../../aigateway/v1/Usage';
import type { Long } from '@grpc/proto-loader';

export interface TranscriptionResponse {
  'id'?: (string);
  'model'?: (string);
  'provider'?: (string);
  /**
   * Unix seconds.
   */
  'created'?: (number | string | Long);
  'text'?: (string);
  /**
   * Empty where the provider says none.
   */
  'language'?: (string);
  /**
   * The audio's length in seconds, where the provider reports it; what a transcription is billed by.
   */
  'audio_seconds'?: (number | string);
  'segments'?: (_aigateway_v1_TranscriptSegment)[];
  'usage'?: (_aigateway_v1_Usage | null);
  'cost_usd'?: (number | string);
  /**
   * The transcript as the response_format text, srt or vtt renders it; empty for json and verbose_json.
   */
  'formatted'?: (string);
}

export interface TranscriptionResponse__Output {
  'id': (string);
  'model': (string);
  'provider': (string);
  /**
   * Unix seconds.
   */
  'created': (number);
  'text': (string);
  /**
   * Empty where the provider says none.
   */
  'language': (string);
  /**
   * The audio's length in seconds, where the provider reports it; what a transcription is billed by.
   */
  'audio_seconds': (number);
  'segments': (_aigateway_v1_TranscriptSegment__Output)[];
  'usage': (_aigateway_v1_Usage__Output | null);
  'cost_usd': (number);
  /**
   * The transcript as the response_format text, srt or vtt renders it; empty for json and verbose_json.
   */
  'formatted': (string);
}
