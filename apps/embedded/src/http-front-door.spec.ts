import { describeHttpFrontDoor, startEmbeddedHttpGateway } from './http-front-door.scenarios';

jest.setTimeout(60_000);

describeHttpFrontDoor('embedded, in-memory bus and PGlite', startEmbeddedHttpGateway);
