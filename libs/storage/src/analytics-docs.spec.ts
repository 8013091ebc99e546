import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeDocumentedQueries } from './analytics-docs.scenarios';
import { createPgliteClient } from './sql-client';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-analytics-docs-'));

describeDocumentedQueries(
  'PGlite',
  () => createPgliteClient(dir),
  async (db) => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  },
);
