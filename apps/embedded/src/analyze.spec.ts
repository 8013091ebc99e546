// The Analyze call through the embedded gateway: both front doors, the in-memory bus and PGlite.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseGatewayConfig } from '@switchyard/config';
import { createLogger } from '@switchyard/telemetry';
import { describeAnalyzeScenarios } from '@switchyard/testing';
import { startEmbeddedGateway } from './embedded-gateway';

jest.setTimeout(60_000);

describeAnalyzeScenarios('embedded', async (configYaml, env) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-analyze-'));
  const gateway = await startEmbeddedGateway({
    config: parseGatewayConfig(configYaml),
    grpcAddress: '127.0.0.1:0',
    httpAddress: '127.0.0.1:0',
    dataDir,
    logger: createLogger('analyze-test', 'error'),
    env: { ...process.env, ...env },
  });
  return {
    grpcAddress: `127.0.0.1:${gateway.port}`,
    httpUrl: gateway.httpUrl!,
    query: async (sql, params) => (await gateway.db.query(sql, params)).rows as never[],
    stop: async () => {
      await gateway.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
