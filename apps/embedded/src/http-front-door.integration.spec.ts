// The HTTP front door checks against the distributed mode: six service processes on Kafka and Postgres,
// started by the integration harness exactly as `npm run start:distributed` starts them. They live
// beside the embedded run of the same checks (http-front-door.scenarios.ts).
import { describeHttpFrontDoor, startDistributedHttpGateway } from './http-front-door.scenarios';

jest.setTimeout(180_000);

describeHttpFrontDoor('distributed, six processes on Kafka and Postgres', startDistributedHttpGateway);
