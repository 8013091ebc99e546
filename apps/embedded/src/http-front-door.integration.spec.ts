// The HTTP front door checks against the distributed mode: six service processes on Kafka and Postgres,
// started by the integration harness exactly as `npm run start:distributed` starts them. They live
// beside the embedded run of the same checks (http-front-door.scenarios.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { freePort, startDistributedGateway } from '@switchyard/testing';
import { describeHttpFrontDoor } from './http-front-door.scenarios';

jest.setTimeout(180_000);

describeHttpFrontDoor('distributed, six processes on Kafka and Postgres', async (configYaml, env) => {
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-config-'));
  fs.writeFileSync(path.join(configDir, 'switchyard.yaml'), configYaml);
  // A port of its own, so that it never meets another gateway on the default 127.0.0.1:8080.
  const httpAddress = `127.0.0.1:${await freePort()}`;
  const gateway = await startDistributedGateway({ SWITCHYARD_CONFIG: path.join(configDir, 'switchyard.yaml'), GATEWAY_HTTP_ADDR: httpAddress, ...env });
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  return {
    httpUrl: `http://${httpAddress}`,
    grpcAddress: gateway.grpcAddress,
    query: async (sql, params) => (await db.query(sql, params)).rows,
    stop: async () => {
      await db.end();
      await gateway.stop();
      fs.rmSync(configDir, { recursive: true, force: true });
    },
  };
});
