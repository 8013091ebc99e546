import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { eventually, freePort, WORKSPACE_ROOT } from '@switchyard/testing';
import { memoryReport } from './service';

describe('memoryReport', () => {
  it('reports the heap after a full collection, so garbage just dropped is not counted', () => {
    const before = memoryReport();
    let garbage: number[][] | undefined = Array.from({ length: 64 }, () => new Array(100_000).fill(1.5));
    expect(garbage.length).toBe(64);
    garbage = undefined;
    const after = memoryReport();
    // 64 arrays of 100,000 doubles are about 50 MB: a report that did not collect would count them.
    expect(after.heap_used - before.heap_used).toBeLessThan(5 * 1024 * 1024);
    expect(after.rss).toBeGreaterThan(after.heap_used);
  });
});

describe('runService probes (GATEWAY_HEALTH_ADDR)', () => {
  it('is live from before the start to the exit, and ready only from a finished start to the stop signal', async () => {
    const port = await freePort();
    const child = spawn(path.join(WORKSPACE_ROOT, 'node_modules/.bin/tsx'), [path.join(__dirname, 'service-under-test.fixtures.ts')], {
      cwd: WORKSPACE_ROOT,
      env: { ...process.env, GATEWAY_HEALTH_ADDR: `127.0.0.1:${port}` },
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const probe = (what: string) => fetch(`http://127.0.0.1:${port}/${what}`).then((response) => response.status);
    try {
      await eventually(() => probe('healthz').then((status) => (status === 200 ? status : undefined)), 'the probes to answer', 60_000);
      expect(await probe('readyz')).toBe(503);
      child.stdin!.write('start\n');
      expect(await eventually(() => probe('readyz').then((status) => (status === 200 ? status : undefined)), 'the service to be ready')).toBe(200);
      child.kill('SIGTERM');
      // Still live while it drains (the kubelet must not kill it), no longer ready.
      expect(await eventually(() => probe('readyz').then((status) => (status === 503 ? status : undefined)), 'readiness to end')).toBe(503);
      expect(await probe('healthz')).toBe(200);
      child.stdin!.write('stop\n');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 90_000);
});
