import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseGatewayConfig } from '@switchyard/config';
import { createLogger } from '@switchyard/telemetry';
import { startEmbeddedGateway } from './embedded-gateway';
import { describeHttpFrontDoor } from './http-front-door.scenarios';

jest.setTimeout(60_000);

describeHttpFrontDoor('embedded, in-memory bus and PGlite', async (configYaml, env) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-http-'));
  const gateway = await startEmbeddedGateway({
    config: parseGatewayConfig(configYaml),
    grpcAddress: '127.0.0.1:0',
    httpAddress: '127.0.0.1:0',
    dataDir,
    logger: createLogger('http-front-door-test', 'error'),
    env: { ...process.env, ...env },
  });
  return {
    httpUrl: gateway.httpUrl!,
    grpcAddress: `127.0.0.1:${gateway.port}`,
    query: async (sql, params) => (await gateway.db.query(sql, params)).rows as never[],
    stop: async () => {
      await gateway.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
