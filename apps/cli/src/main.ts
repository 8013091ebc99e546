// `npx switchyard ...` (bin/switchyard.mjs runs this): see docs/keys.md.
import { runCli } from './cli';

runCli(process.argv.slice(2), { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text), env: process.env }).then(
  (code) => (process.exitCode = code),
  (error) => {
    process.stderr.write(`switchyard: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
