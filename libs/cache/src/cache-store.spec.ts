import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createPgliteClient } from '@switchyard/storage';
import { describeCacheStore } from './cache-store.scenarios';

jest.setTimeout(60_000);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-cache-store-'));

describeCacheStore(
  'PGlite',
  () => createPgliteClient(dir),
  async (db) => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  },
);
