// The embedded gateway's metrics, read from /metrics on its HTTP front door.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseGatewayConfig } from '@switchyard/config';
import { createLogger } from '@switchyard/telemetry';
import { describeGatewayMetrics } from '@switchyard/testing';
import { startEmbeddedGateway } from './embedded-gateway';

jest.setTimeout(60_000);

describeGatewayMetrics('embedded', async (configYaml, env) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-metrics-'));
  const gateway = await startEmbeddedGateway({
    config: parseGatewayConfig(configYaml),
    grpcAddress: '127.0.0.1:0',
    httpAddress: '127.0.0.1:0',
    dataDir,
    logger: createLogger('metrics-test', 'error'),
    env: { ...process.env, ...env },
  });
  return {
    httpUrl: gateway.httpUrl!,
    metricsUrls: [`${gateway.httpUrl}/metrics`],
    query: async (sql, params) => (await gateway.db.query(sql, params)).rows as never[],
    stop: async () => {
      await gateway.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
