import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InMemoryBus, type IncomingMessage, type OutgoingMessage } from '@switchyard/bus';
import { DEAD_LETTER_HEADERS, TOPICS } from '@switchyard/contracts';
import type { Logger } from '@switchyard/telemetry';
import { DEAD_LETTER_FILE, deadLetter, deadLetterCounts, recordDeadLetters, replayHeaders } from './dead-letters';

function recordingLogger(): Logger & { warnings: [string, Record<string, unknown> | undefined][] } {
  const warnings: [string, Record<string, unknown> | undefined][] = [];
  const none = () => undefined;
  const logger: Logger & { warnings: typeof warnings } = { warnings, debug: none, info: none, error: none, warn: (message, fields) => void warnings.push([message, fields]), child: () => logger };
  return logger;
}

const incoming = (headers: Record<string, string> = {}): IncomingMessage => ({
  topic: 'switchyard.usage',
  partition: 3,
  offset: '41',
  key: 'req-1',
  value: { request_id: 'req-1' },
  headers: { traceparent: 'tp', ...headers },
});

describe('deadLetter', () => {
  it('publishes the event with where it came from and why, logs it at warn and counts it by stage', async () => {
    const published: [string, OutgoingMessage[]][] = [];
    const logger = recordingLogger();
    const before = deadLetterCounts()['test-stage'] ?? 0;
    await deadLetter({ publish: async (topic, messages) => void published.push([topic, messages]) }, logger, 'test-stage', incoming(), 'prompt_tokens is not a number');
    expect(published).toEqual([
      [
        TOPICS.deadLetter,
        [
          {
            key: 'req-1',
            value: { request_id: 'req-1' },
            headers: {
              traceparent: 'tp',
              [DEAD_LETTER_HEADERS.originalTopic]: 'switchyard.usage',
              [DEAD_LETTER_HEADERS.originalPartition]: '3',
              [DEAD_LETTER_HEADERS.originalOffset]: '41',
              [DEAD_LETTER_HEADERS.stage]: 'test-stage',
              [DEAD_LETTER_HEADERS.reason]: 'prompt_tokens is not a number',
              [DEAD_LETTER_HEADERS.attempts]: '1',
            },
          },
        ],
      ],
    ]);
    expect(logger.warnings).toEqual([
      ['dead-lettering an event', { stage: 'test-stage', reason: 'prompt_tokens is not a number', topic: 'switchyard.usage', partition: 3, offset: '41', key: 'req-1', attempts: 1 }],
    ]);
    expect(deadLetterCounts()['test-stage']).toBe(before + 1);
  });

  it('keeps the attempt a replayed event carries, and cuts a long reason', async () => {
    const published: OutgoingMessage[] = [];
    await deadLetter({ publish: async (_topic, messages) => void published.push(...messages) }, recordingLogger(), 'test-stage', incoming({ [DEAD_LETTER_HEADERS.attempts]: '3' }), 'x'.repeat(5000));
    expect(published[0].headers![DEAD_LETTER_HEADERS.attempts]).toBe('3');
    expect(published[0].headers![DEAD_LETTER_HEADERS.reason]).toBe(`${'x'.repeat(1000)}…`);
  });
});

describe('replayHeaders', () => {
  it('drops the dead-letter headers, raises the attempt and says where the replay came from', () => {
    const headers = {
      traceparent: 'tp',
      [DEAD_LETTER_HEADERS.originalTopic]: 'switchyard.usage',
      [DEAD_LETTER_HEADERS.stage]: 'analytics',
      [DEAD_LETTER_HEADERS.reason]: 'refused',
      [DEAD_LETTER_HEADERS.attempts]: '2',
    };
    expect(replayHeaders(headers, 'switchyard.dead-letter:0:7')).toEqual({
      traceparent: 'tp',
      [DEAD_LETTER_HEADERS.attempts]: '3',
      [DEAD_LETTER_HEADERS.replayedFrom]: 'switchyard.dead-letter:0:7',
    });
  });
});

describe('recordDeadLetters', () => {
  it('appends each dead letter on the in-memory bus to a file, a JSON line each', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-dead-letters-'));
    const file = path.join(dir, DEAD_LETTER_FILE);
    const bus = new InMemoryBus();
    await recordDeadLetters(bus, file, recordingLogger());
    await deadLetter(bus, recordingLogger(), 'router', incoming(), 'route is missing');
    await bus.close();
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines).toEqual([{ at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), key: 'req-1', headers: expect.objectContaining({ [DEAD_LETTER_HEADERS.stage]: 'router' }), value: '{"request_id":"req-1"}' }]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
