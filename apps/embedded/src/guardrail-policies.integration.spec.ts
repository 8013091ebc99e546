// Guardrail policies per key and team against the distributed mode: six service processes on Kafka and
// Postgres; the guardrail service applies a key's input rules, the provider-worker its output rules.
import { describeGuardrailPolicies } from './guardrail-policies.scenarios';
import { startDistributedHttpGateway } from './http-front-door.scenarios';

jest.setTimeout(180_000);

describeGuardrailPolicies('distributed, six processes on Kafka and Postgres', startDistributedHttpGateway);
