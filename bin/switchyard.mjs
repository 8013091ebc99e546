#!/usr/bin/env node
// `npx switchyard` from a clone: runs the CLI's TypeScript (apps/cli) with tsx, resolving the
// workspace's @switchyard/* paths from its tsconfig wherever it is called from.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const result = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(root, 'apps/cli/src/main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.json') },
});
process.exit(result.status ?? 1);
