import { startEmbeddedHttpGateway } from './http-front-door.scenarios';
import { describeKinds } from './kinds.scenarios';

jest.setTimeout(60_000);

describeKinds('embedded, in-memory bus and PGlite', startEmbeddedHttpGateway);
