// The probes of a service (GATEWAY_HEALTH_ADDR), for Kubernetes or any supervisor: /healthz answers 200
// while the process answers at all (liveness), /readyz 200 only between a finished start and the first
// stop signal (readiness). Plain HTTP on a port of its own: the kubelet's probes present no client
// certificate, so they could not reach a front door that requires one (docs/tls.md).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ServicePhase = 'starting' | 'running' | 'stopping';

export interface ServiceHealth {
  phase: ServicePhase;
  /** While running, whether the service can take work (an ingress whose pipeline client is up). */
  ready(): boolean;
}

export interface RunningHealthServer {
  port: number;
  close(): Promise<void>;
}

export async function startHealthServer(address: { host: string; port: number }, health: ServiceHealth): Promise<RunningHealthServer> {
  const server = http.createServer((req, res) => {
    const answer = (status: number, body: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method !== 'GET') return answer(405, { status: 'method not allowed' });
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return answer(200, { status: 'ok' });
    if (path !== '/readyz') return answer(404, { status: 'not found', paths: ['/healthz', '/readyz'] });
    if (health.phase !== 'running') return answer(503, { status: 'not ready', phase: health.phase });
    return health.ready() ? answer(200, { status: 'ready' }) : answer(503, { status: 'not ready', phase: health.phase });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()),
  };
}
