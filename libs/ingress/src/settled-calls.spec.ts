import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { settledCallsInMemory, settledCallsJournal } from './settled-calls';

describe('settled calls', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'settled-calls-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('an answered call is known to the instance restarted after a kill -9 (regression: its row said cancelled)', () => {
    const file = path.join(dir, 'nested', 'ingress-1.settled');
    const killed = settledCallsJournal(file);
    killed.add('call-a');
    killed.add('call-b');
    // A process killed outright closes nothing, yet its writes reached the kernel.
    const restarted = settledCallsJournal(file);
    expect(['call-a', 'call-b', 'call-c'].map((id) => restarted.has(id))).toEqual([true, true, false]);
    restarted.add('call-c');
    expect(fs.readFileSync(file, 'utf8')).toBe('call-a\ncall-b\ncall-c\n');
    // A clean stop deletes the reply topic, and the journal with it.
    restarted.discard();
    expect([restarted.has('call-a'), fs.existsSync(file)]).toEqual([false, false]);
  });

  it('forgets the older generation whole when the newer fills, on disk as in memory', () => {
    const file = path.join(dir, 'ingress-1.settled');
    const journal = settledCallsJournal(file, 2);
    const memory = settledCallsInMemory(2);
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      journal.add(id);
      memory.add(id);
    }
    const reopened = settledCallsJournal(file, 2);
    const ids = ['a', 'b', 'c', 'd', 'e'];
    expect(ids.map((id) => memory.has(id))).toEqual([false, false, true, true, true]);
    expect(ids.map((id) => reopened.has(id))).toEqual([false, false, true, true, true]);
    expect([fs.readFileSync(`${file}.previous`, 'utf8'), fs.readFileSync(file, 'utf8')]).toEqual(['c\nd\n', 'e\n']);
    reopened.discard();
    expect([fs.existsSync(`${file}.previous`), fs.existsSync(file)]).toEqual([false, false]);
  });

  it('keeps an id with a line break in memory only, so the journal stays one id a line', () => {
    const file = path.join(dir, 'ingress-1.settled');
    const journal = settledCallsJournal(file);
    journal.add('bad\nid');
    journal.add('good');
    expect([journal.has('bad\nid'), fs.readFileSync(file, 'utf8')]).toEqual([true, 'good\n']);
  });
});
