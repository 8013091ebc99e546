import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InMemoryBus } from '@switchyard/bus';
import { deadLetter, DEAD_LETTER_FILE, recordDeadLetters } from '@switchyard/pipeline';
import { createLogger } from '@switchyard/telemetry';
import { runDeadLetterCommand, UsageError } from './dead-letter';

const logger = createLogger('dead-letter-test', 'error');

async function command(...argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  await runDeadLetterCommand(argv, (line) => lines.push(line), {});
  return lines;
}

describe('npm run dead-letter in embedded mode', () => {
  it("lists the embedded gateway's dead letters from its data folder, the last --limit of them", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-dead-letter-cli-'));
    const bus = new InMemoryBus();
    await recordDeadLetters(bus, path.join(dir, DEAD_LETTER_FILE), logger);
    for (const key of ['first', 'second']) {
      await deadLetter(bus, logger, 'analytics', { topic: 'switchyard.usage', partition: 0, offset: '5', key, value: { request_id: key }, headers: {} }, 'the database refused the row');
    }
    await bus.close();
    const lines = await command('list', '--data-dir', dir, '--limit', '1');
    expect(lines[0].split('\n')).toEqual([
      expect.stringMatching(new RegExp(`Z ${DEAD_LETTER_FILE}:2 key=second$`)),
      '  from switchyard.usage partition 0 offset 5; stage analytics, attempt 1',
      '  reason: the database refused the row',
      '  value: {"request_id":"second"}',
    ]);
    expect(lines[1]).toBe('1 dead letter');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['no command', [], /^usage: npm run dead-letter/],
    ['an unknown command', ['purge'], /^usage: npm run dead-letter/],
    ['an unknown option', ['list', '--everything'], /Unknown option '--everything'/],
    ['a --since that is no time', ['list', '--data-dir', '.', '--since', 'yesterday'], /--since yesterday is neither an ISO time nor a duration/],
    ['a --limit that is no count', ['list', '--data-dir', '.', '--limit=1.5'], /--limit 1.5 is not a whole number/],
    ['replay in embedded mode', ['replay', '--data-dir', '.'], /^replay needs Kafka/],
  ])('refuses %s with a usage error', async (_name, argv, message) => {
    const refusal = await command(...argv).then(() => undefined, (error: unknown) => error);
    expect(refusal).toBeInstanceOf(UsageError);
    expect((refusal as Error).message).toMatch(message);
  });
});
