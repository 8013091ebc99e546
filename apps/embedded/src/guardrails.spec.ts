import { describeGuardrails } from './guardrails.scenarios';
import { startEmbeddedHttpGateway } from './http-front-door.scenarios';

jest.setTimeout(60_000);

describeGuardrails('embedded, in-memory bus and PGlite', startEmbeddedHttpGateway);
