// `npm run dead-letter -- list|replay [options]`: see docs/dead-letter.md.
import { runDeadLetterCommand, UsageError } from './dead-letter';

runDeadLetterCommand(process.argv.slice(2), (line) => process.stdout.write(line + '\n')).catch((error) => {
  process.stderr.write(`${error instanceof UsageError ? error.message : `dead-letter: ${(error as Error).message}`}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
