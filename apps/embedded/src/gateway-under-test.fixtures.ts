// An embedded gateway for a test: its configuration from a plain object, a data folder of its own
// removed when it stops, both front doors on free ports, and only errors logged.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseGatewayConfig } from '@switchyard/config';
import type { TlsMaterial } from '@switchyard/ingress';
import { createLogger } from '@switchyard/telemetry';
import { stringify } from 'yaml';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway';

export async function startGatewayUnderTest(name: string, config: object, tls?: TlsMaterial): Promise<EmbeddedGateway> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `switchyard-${name}-`));
  const gateway = await startEmbeddedGateway({
    config: parseGatewayConfig(stringify(config)),
    grpcAddress: '127.0.0.1:0',
    httpAddress: '127.0.0.1:0',
    tls,
    dataDir,
    logger: createLogger(`${name}-test`, 'error'),
  });
  return {
    ...gateway,
    async stop() {
      await gateway.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
