// A service run by runService for service.spec.ts: its start finishes, and its stop finishes, when the
// test writes "start" and "stop" to its stdin, so the test can probe it in each phase.
import * as readline from 'node:readline';
import { createLogger } from '@switchyard/telemetry';
import { runService } from './service';

const lines = readline.createInterface({ input: process.stdin });
const next = (word: string) => new Promise<void>((resolve) => lines.on('line', (line) => line === word && resolve()));
const started = next('start');
const stopped = next('stop');

void runService('service-under-test', createLogger('service-under-test', 'error'), async () => {
  await started;
  return { stop: () => stopped };
});
