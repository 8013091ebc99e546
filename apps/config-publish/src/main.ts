// `npm run config:publish -- <file.yaml>`: see docs/configuration.md.
import { exitStatusOf, messageOf, runConfigPublish } from './config-publish';

runConfigPublish(process.argv.slice(2), (line) => process.stdout.write(line + '\n')).catch((error) => {
  process.stderr.write(`${messageOf(error)}\n`);
  process.exit(exitStatusOf(error));
});
