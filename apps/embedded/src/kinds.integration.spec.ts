// The kinds' checks against the distributed mode: six service processes on Kafka and Postgres, started
// by the integration harness as `npm run start:distributed` starts them (kinds.scenarios.ts).
import { startDistributedHttpGateway } from './http-front-door.scenarios';
import { describeKinds } from './kinds.scenarios';

jest.setTimeout(180_000);

describeKinds('distributed, six processes on Kafka and Postgres', startDistributedHttpGateway);
