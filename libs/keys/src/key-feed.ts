// The keys topic (KEYS_TOPIC): every change of a key or team is published there, keyed by what changed
// and compacted, and every ingress instance reads it whole into its KeyDirectory, so a revoked or
// changed key takes effect on every instance as fast as Kafka delivers (well under a second).
import { randomUUID } from 'node:crypto';
import type { Bus } from '@switchyard/bus';
import { KEYS_TOPIC } from '@switchyard/contracts';
import type { Logger } from '@switchyard/telemetry';
import type { KeyDirectory } from './key-directory';
import { changeKey, parseKeyChange, type KeyChangeEvent } from './records';

/** Compaction keeps each key's and team's latest state for as long as the topic lives. */

export async function publishKeyChanges(bus: Bus, changes: KeyChangeEvent[]): Promise<void> {
  if (changes.length === 0) return;
  await bus.publish(KEYS_TOPIC, changes.map((change) => ({ key: changeKey(change), value: change })));
}

/**
 * Reads the keys topic from its beginning into `directory`, and on as it grows. The consumer group is
 * new at every start (a group's committed offsets would skip what an earlier run of the instance read,
 * and the snapshot lives in memory), so Kafka hands it the whole topic.
 */
export async function followKeyChanges(bus: Bus, directory: KeyDirectory, instanceId: string, logger: Logger): Promise<void> {
  await bus.ensureTopics([KEYS_TOPIC], 1, { compacted: true });
  await bus.subscribe({
    topic: KEYS_TOPIC,
    group: `switchyard-keys-${instanceId}-${randomUUID().slice(0, 8)}`,
    handleBatch: async (messages) => {
      for (const message of messages) {
        try {
          directory.apply(parseKeyChange(message.value));
        } catch (error) {
          logger.warn('ignoring a malformed key change', { offset: message.offset, reason: (error as Error).message });
        }
      }
    },
  });
}
