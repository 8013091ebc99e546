// The Analyze call through the distributed gateway: six processes on Kafka, usage rows in Postgres.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { describeAnalyzeScenarios, startDistributedGateway } from '@switchyard/testing';

jest.setTimeout(180_000);

describeAnalyzeScenarios('distributed, six processes on Kafka and Postgres', async (configYaml, env) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-config-')), 'switchyard.yaml');
  fs.writeFileSync(file, configYaml);
  const gateway = await startDistributedGateway({ SWITCHYARD_CONFIG: file, ...env });
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  return {
    grpcAddress: gateway.grpcAddress,
    httpUrl: `http://${gateway.httpAddress}`,
    query: async (sql, params) => (await db.query(sql, params)).rows,
    stop: async () => {
      await db.end();
      await gateway.stop();
    },
  };
});
