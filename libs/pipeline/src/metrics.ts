import { CONSUMER_GROUPS, TOPICS } from '@switchyard/contracts';
import type { GroupTopic } from '@switchyard/bus';

/**
 * The pipeline's consumer groups and their topics, whose lag every distributed service reports: a
 * stage that stopped reports nothing itself, so the others tell how far behind it is.
 */
export const PIPELINE_CONSUMERS: readonly GroupTopic[] = [
  { group: CONSUMER_GROUPS.router, topic: TOPICS.requests },
  { group: CONSUMER_GROUPS.router, topic: TOPICS.batchRequests },
  { group: CONSUMER_GROUPS.guardrail, topic: TOPICS.routed },
  { group: CONSUMER_GROUPS.providerWorker, topic: TOPICS.guarded },
  { group: CONSUMER_GROUPS.metering, topic: TOPICS.completions },
  { group: CONSUMER_GROUPS.analytics, topic: TOPICS.usage },
];
