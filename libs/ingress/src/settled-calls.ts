// The calls an ingress instance ended lately, answered or not: a reply for one of them is no caller's
// lost answer (a request redelivered after a stage failed over is answered twice; a deadline was
// reported already). An instance restarted in the place of one that was killed reads again the replies
// its predecessor had not committed; only a journal its predecessor kept on disk tells it which of them
// were delivered, so that an answered call's row is not marked `cancelled`.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SettledCalls {
  has(requestId: string): boolean;
  /** Recorded before the caller is answered: a process killed after this call loses nothing of it. */
  add(requestId: string): void;
  /** On a clean stop, which deletes the reply topic: no successor reads its replies again, so they go too. */
  discard(): void;
}

/**
 * Calls are kept in two generations of `kept` each: the older is forgotten whole when the newer fills,
 * long after any reply for its calls could still come.
 */
const KEPT_PER_GENERATION = 65_536;

/** Kept in memory only: what a process that no successor reads after (the in-memory bus) needs. */
export function settledCallsInMemory(kept = KEPT_PER_GENERATION): SettledCalls {
  return new Generations(kept);
}

/**
 * Kept in memory and appended to `file` (and `file`.previous, the older generation), one id a line. A
 * write(2) reaches the kernel before the caller is answered, so a kill -9 loses none; the journal need
 * not outlive the machine, as the replies it judges are the minutes-old ones of one instance.
 */
export function settledCallsJournal(file: string, kept = KEPT_PER_GENERATION): SettledCalls {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return new Journal(file, kept);
}

class Generations implements SettledCalls {
  protected older = new Set<string>();
  protected newer = new Set<string>();

  constructor(private readonly kept: number) {}

  has(requestId: string): boolean {
    return this.newer.has(requestId) || this.older.has(requestId);
  }

  add(requestId: string): void {
    if (this.newer.size >= this.kept) this.rotate();
    this.newer.add(requestId);
  }

  protected rotate(): void {
    this.older = this.newer;
    this.newer = new Set();
  }

  discard(): void {
    this.older.clear();
    this.newer.clear();
  }
}

class Journal extends Generations {
  private fd: number;

  constructor(
    private readonly file: string,
    kept: number,
  ) {
    super(kept);
    this.older = readIds(`${file}.previous`);
    this.newer = readIds(file);
    this.fd = fs.openSync(file, 'a');
  }

  override add(requestId: string): void {
    super.add(requestId);
    // Ids are the gateway's own (UUIDs, batch line ids); one with a line break would corrupt the journal.
    if (!/[\r\n]/.test(requestId)) fs.writeSync(this.fd, `${requestId}\n`);
  }

  protected override rotate(): void {
    super.rotate();
    fs.closeSync(this.fd);
    fs.renameSync(this.file, `${this.file}.previous`);
    this.fd = fs.openSync(this.file, 'a');
  }

  override discard(): void {
    super.discard();
    fs.closeSync(this.fd);
    fs.rmSync(this.file, { force: true });
    fs.rmSync(`${this.file}.previous`, { force: true });
  }
}

function readIds(file: string): Set<string> {
  try {
    return new Set(fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw error;
  }
}
