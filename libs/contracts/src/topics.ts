// Every Kafka topic of the pipeline, named once. Apps and libs never spell topic strings themselves.
export const TOPICS = {
  /** ingress -> router: RequestEvent as received. */
  requests: 'switchyard.requests',
  /**
   * batch runner (or a producer of bulk requests) -> router: RequestEvent, as on `requests`, keyed alike
   * (the owner of its limits) and read by the router beside it, co-partitioned, so that a backlog of
   * batch requests never queues interactive ones behind it (docs/batch.md#pacing).
   */
  batchRequests: 'switchyard.batch-requests',
  /** router -> guardrail: RequestEvent whose model the router found able to serve it, without its signature. */
  routed: 'switchyard.routed',
  /** guardrail -> provider-worker: RequestEvent with `guardrail` set and the prompt rewritten by its rules. */
  guarded: 'switchyard.guarded',
  /** provider-worker (or an earlier stage that rejected the request) -> metering: CompletionEvent, with a RequestSummary and not the prompt. */
  completions: 'switchyard.completions',
  /**
   * metering -> analytics: UsageEvent, one per request; and ingress -> analytics: CallerOutcomeEvent, for
   * the few calls the ingress ended itself. Both are keyed by request_id.
   */
  usage: 'switchyard.usage',
  /** ingress -> every provider-worker: CancelEvent for a caller that went away. */
  cancellations: 'switchyard.cancellations',
  /** provider-worker -> every provider-worker: ProviderCallEvent, before a batch request's provider call. */
  providerCalls: 'switchyard.provider-calls',
  /** Events a stage could not parse, with the reason in the headers. */
  deadLetter: 'switchyard.dead-letter',
} as const;

/** The topics of the pipeline proper, created by every distributed service at start. */
export const PIPELINE_TOPICS: readonly string[] = Object.values(TOPICS);

/**
 * Virtual keys and teams as they change (KeyChangeEvent), keyed by what changed and compacted, so the
 * topic holds each one's latest state: every ingress instance reads it whole into its snapshot of keys.
 * Not a pipeline topic: it is created compacted, by the ingress (libs/keys).
 */
export const KEYS_TOPIC = 'switchyard.keys';

/** Replies (ReplyEvent) go to a topic of the ingress instance that holds the call. */
export const REPLY_TOPIC_PREFIX = 'switchyard.replies.';

export function replyTopicFor(ingressInstanceId: string): string {
  return `${REPLY_TOPIC_PREFIX}${ingressInstanceId}`;
}

/**
 * Replies to a batch's requests go to a second topic of the instance: the instance records each in its
 * batch before committing it, and that wait on the store must not hold up its interactive callers' replies.
 * A prefix of its own, as instance ids may hold dots: no instance's reply topic can take its name.
 */
export const BATCH_REPLY_TOPIC_PREFIX = 'switchyard.batch-replies.';

export function batchReplyTopicFor(ingressInstanceId: string): string {
  return `${BATCH_REPLY_TOPIC_PREFIX}${ingressInstanceId}`;
}

/** Both kinds of reply topic's prefixes. */
export const REPLY_TOPIC_PREFIXES: readonly string[] = [REPLY_TOPIC_PREFIX, BATCH_REPLY_TOPIC_PREFIX];

/**
 * provider-worker -> every provider-worker and ingress: BreakerEvent, keyed by target. Compacted: the last
 * transition of each target is its breaker's state, which an instance that starts reads from the beginning.
 */
export const BREAKERS_TOPIC = 'switchyard.breakers';
/** Few: one message per breaker transition, keyed by target. */
export const BREAKERS_TOPIC_PARTITIONS = 3;

/** Consumer groups: one per stage, so instances of a stage share the work. */
export const CONSUMER_GROUPS = {
  router: 'switchyard-router',
  guardrail: 'switchyard-guardrail',
  providerWorker: 'switchyard-provider-worker',
  metering: 'switchyard-metering',
  analytics: 'switchyard-analytics',
} as const;

/** Headers every dead-lettered message carries. */
export const DEAD_LETTER_HEADERS = {
  originalTopic: 'x-dlq-original-topic',
  originalPartition: 'x-dlq-original-partition',
  originalOffset: 'x-dlq-original-offset',
  stage: 'x-dlq-stage',
  reason: 'x-dlq-reason',
  attempts: 'x-dlq-attempts',
  /** On a dead letter sent back to its topic: the dead letter's `topic:partition:offset`. */
  replayedFrom: 'x-dlq-replayed-from',
} as const;
