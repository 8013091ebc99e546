import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { DEAD_LETTER_HEADERS } from '@switchyard/contracts';
import { readTopic, runDeadLetterCommand } from './dead-letter';

describe('npm run dead-letter against Kafka', () => {
  const run = randomUUID().slice(0, 8);
  // Topics of this run only: others may run their tests on the same broker.
  const deadLetterTopic = `dead-letter-cli-test-${run}.dead-letter`;
  const usageTopic = `dead-letter-cli-test-${run}.usage`;
  const kafka = new Kafka({ clientId: 'dead-letter-cli-test', brokers: process.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [deadLetterTopic, usageTopic].map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })) });
    const producer = kafka.producer();
    await producer.connect();
    const headers = (stage: string, reason: string) => ({
      traceparent: '00-abababababababababababababababab-cdcdcdcdcdcdcdcd-00',
      [DEAD_LETTER_HEADERS.originalTopic]: usageTopic,
      [DEAD_LETTER_HEADERS.originalPartition]: '0',
      [DEAD_LETTER_HEADERS.originalOffset]: '17',
      [DEAD_LETTER_HEADERS.stage]: stage,
      [DEAD_LETTER_HEADERS.reason]: reason,
      [DEAD_LETTER_HEADERS.attempts]: '1',
    });
    await producer.send({
      topic: deadLetterTopic,
      messages: [
        { key: 'req-refused', value: '{"request_id":"req-refused","model":"m"}', headers: headers('analytics', 'the database refused the row: index row requires 9088 bytes') },
        { key: 'req-unparsed', value: 'not json', headers: headers('router', 'value is not JSON') },
      ],
    });
    await producer.disconnect();
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [deadLetterTopic, usageTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  const command = async (...argv: string[]) => {
    const lines: string[] = [];
    await runDeadLetterCommand([...argv, '--topic', deadLetterTopic], (line) => lines.push(line), process.env);
    return lines;
  };

  it('lists each dead letter with where it came from, its stage, reason and attempt, and its value cut', async () => {
    const lines = await command('list', '--value-chars', '12');
    expect(lines).toHaveLength(3);
    expect(lines[0].split('\n').slice(1)).toEqual([
      `  from ${usageTopic} partition 0 offset 17; stage analytics, attempt 1`,
      '  reason: the database refused the row: index row requires 9088 bytes',
      '  value: {"request_id… (40 bytes)',
    ]);
    expect(lines[0].split('\n')[0]).toMatch(new RegExp(`^\\d{4}-.*Z ${deadLetterTopic}:0:0 key=req-refused$`));
    expect(lines[2]).toBe('2 dead letters');
    expect(await command('list', '--reason-contains', 'not JSON')).toHaveLength(2);
  });

  it('replays the dead letters of one stage to their original topic, as they were, marked and with the attempt raised', async () => {
    const lines = await command('replay', '--stage', 'analytics');
    expect(lines).toEqual([`replayed ${deadLetterTopic}:0:0 to ${usageTopic} (attempt 2)`, '1 dead letter matched']);
    const replayed = await readTopic(kafka, usageTopic);
    expect(replayed.map(({ key, headers, value }) => ({ key, headers, value: value.toString() }))).toEqual([
      {
        key: 'req-refused',
        value: '{"request_id":"req-refused","model":"m"}',
        headers: {
          traceparent: '00-abababababababababababababababab-cdcdcdcdcdcdcdcd-00',
          [DEAD_LETTER_HEADERS.attempts]: '2',
          [DEAD_LETTER_HEADERS.replayedFrom]: `${deadLetterTopic}:0:0`,
        },
      },
    ]);
  });
});
