// The guardrails against the distributed mode: six service processes on Kafka and Postgres.
import { describeGuardrails } from './guardrails.scenarios';
import { startDistributedHttpGateway } from './http-front-door.scenarios';

jest.setTimeout(180_000);

describeGuardrails('distributed, six processes on Kafka and Postgres', startDistributedHttpGateway);
