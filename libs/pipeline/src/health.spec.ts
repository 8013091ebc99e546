import { startHealthServer, type RunningHealthServer, type ServiceHealth } from './health';

describe('the health server', () => {
  let server: RunningHealthServer;
  let ready = true;
  const health: ServiceHealth = { phase: 'starting', ready: () => ready };
  const probe = async (path: string, method = 'GET') => {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`, { method });
    return { status: response.status, body: await response.json() };
  };

  beforeAll(async () => {
    server = await startHealthServer({ host: '127.0.0.1', port: 0 }, health);
  });
  afterAll(() => server.close());

  it('is live in every phase and ready only while running and able to take work', async () => {
    health.phase = 'starting';
    expect(await probe('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await probe('/readyz')).toEqual({ status: 503, body: { status: 'not ready', phase: 'starting' } });
    health.phase = 'running';
    expect(await probe('/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
    ready = false;
    expect(await probe('/readyz')).toEqual({ status: 503, body: { status: 'not ready', phase: 'running' } });
    ready = true;
    health.phase = 'stopping';
    expect(await probe('/readyz')).toEqual({ status: 503, body: { status: 'not ready', phase: 'stopping' } });
    expect(await probe('/healthz?verbose=1')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('answers other paths and methods with their own status', async () => {
    expect(await probe('/metrics')).toEqual({ status: 404, body: { status: 'not found', paths: ['/healthz', '/readyz'] } });
    expect(await probe('/healthz', 'POST')).toEqual({ status: 405, body: { status: 'method not allowed' } });
  });
});
