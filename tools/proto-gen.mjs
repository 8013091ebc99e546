#!/usr/bin/env node
// Generates TypeScript types for gRPC clients and servers from proto/ with proto-loader-gen-types, into
// libs/contracts/src/generated. The output is committed so that a fresh clone type-checks; the
// contracts spec regenerates into a temporary folder and fails when the committed files differ.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = process.argv[2] ? path.resolve(process.argv[2]) : path.join(root, 'libs/contracts/src/generated');

const GEN_ARGS = ['--keepCase', '--longs=Number', '--enums=String', '--defaults', '--oneofs', '--arrays', '--objects', '--grpcLib=@grpc/grpc-js'];

rmSync(outDir, { recursive: true, force: true });
execFileSync(
  path.join(root, 'node_modules/.bin/proto-loader-gen-types'),
  ['aigateway/v1/gateway.proto', 'aigateway/v1/admin.proto', 'aigateway/v1/batch.proto', ...GEN_ARGS, '--includeComments', `--outDir=${outDir}`, '--includeDirs=proto'],
  // Run from the root with a relative include path, so the generated headers name proto/... and not
  // the folder of this clone.
  { stdio: 'inherit', cwd: root },
);
