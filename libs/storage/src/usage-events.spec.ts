import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createPgliteClient } from './sql-client';
import { describeUsageEventsStore } from './usage-events.scenarios';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-pglite-'));

describeUsageEventsStore(
  'PGlite',
  () => createPgliteClient(dir),
  async (db) => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  },
);
