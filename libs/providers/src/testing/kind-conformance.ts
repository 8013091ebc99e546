// The conformance suite of a request kind beyond chat and embeddings (moderation...): one call per
// kind, each adapter that offers it replaying its provider's documented answer and errors. A kind's
// spec names the call, the route, the documented answer and what the adapter must make of it; the
// suite adds the failures every adapter must map the same way.
import type { ErrorCode } from '@switchyard/contracts';
import type { CallOptions, ProviderAdapter } from '../provider';
import { CALL_TIMEOUT_MS, ERROR_SCENARIOS, expectGatewayErrorHiding, failure, withKey, type ErrorExchange, type Exchange, type Route } from './conformance';
import { reply, ReplayServer, type Reply } from './replay-server';

export interface KindConformanceTarget<T> {
  /** Shown in test names: provider and kind. */
  name: string;
  createAdapter(baseUrl: string): ProviderAdapter;
  apiKey?: string;
  /** The kind's one call on the adapter, with the suite's fixed request. */
  call(adapter: ProviderAdapter, options: CallOptions): Promise<T>;
  route: Route;
  /** The documented answer to the suite's request. */
  answer: Exchange<T>;
  /** Answers of the documented shape that cannot be taken (too few results...): each must fail with provider_bad_response. */
  badAnswers: Record<string, Reply>;
  errors: Record<keyof typeof ERROR_SCENARIOS, ErrorExchange>;
}

export function runKindConformanceSuite<T>(target: KindConformanceTarget<T>): void {
  describe(`${target.name} conformance`, () => {
    let server: ReplayServer;
    let adapter: ProviderAdapter;
    beforeAll(async () => {
      server = await ReplayServer.start();
      adapter = target.createAdapter(server.baseUrl);
    });
    afterEach(() => server.reset());
    afterAll(() => server.close());

    const program = (answer: Reply) => server.on(target.route.method ?? 'POST', target.route.path, withKey(answer, target.apiKey));
    const call = (signal: AbortSignal = AbortSignal.timeout(CALL_TIMEOUT_MS)) => target.call(adapter, { signal });
    const expectError = async (code: ErrorCode, signal?: AbortSignal) => {
      const error = await failure(call(signal));
      expectGatewayErrorHiding(target.apiKey, error, code);
      return error;
    };

    it('sends the documented request and reads the documented answer', async () => {
      program(target.answer.reply);
      expect(await call()).toEqual(target.answer.expected);
      target.answer.expectRequest?.(server.onlyRequest());
    });

    for (const [scenario, { status, code }] of Object.entries(ERROR_SCENARIOS)) {
      it(`maps the provider's ${status} to ${code}, keeping its message`, async () => {
        const fixture = target.errors[scenario as keyof typeof ERROR_SCENARIOS];
        expect(fixture.reply.status).toBe(status);
        program(fixture.reply);
        const error = await expectError(code);
        expect(error.message).toContain(fixture.message);
        expect(error.providerStatus).toBe(status);
      });
    }

    for (const [title, answer] of Object.entries(target.badAnswers)) {
      it(`fails with provider_bad_response on ${title}`, async () => {
        program(answer);
        await expectError('provider_bad_response');
      });
    }

    it('fails with provider_bad_response on a 200 whose body is not JSON', async () => {
      program(reply.notJson('<html><body>upstream proxy error for key {{api_key}}</body></html>'));
      await expectError('provider_bad_response');
    });

    it('fails with provider_timeout when the deadline passes before the answer', async () => {
      program(reply.delayed(reply.json({}), 30_000));
      await expectError('provider_timeout', AbortSignal.timeout(100));
    });

    it('fails with provider_unavailable when the connection is reset before any answer', async () => {
      program(reply.reset());
      await expectError('provider_unavailable');
    });
  });
}
