// Regression: a malformed event in a provider's stream returned the full provider key in the error the
// caller got. Every provider gets recognisable canary credentials; its replay server then fails in every
// way providers fail (malformed and error events, cut streams, error bodies that echo the request's
// headers and URL or quote the key, non-JSON answers, reset connections), through both front doors of
// one embedded gateway. Every log line, error answer, bus event and usage row is scanned for the
// canaries, whole or in pieces.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createGatewayClient, type AiGatewayClient } from '@switchyard/client';
import { parseGatewayConfig } from '@switchyard/config';
import { ERROR_CODES, type ErrorCode } from '@switchyard/contracts';
import type { EmbedResponse__Output } from '@switchyard/contracts/generated/aigateway/v1/EmbedResponse';
import { createLogger } from '@switchyard/telemetry';
import { captureStderr, chat, chatStream, eventually, findCredentialLeaks } from '@switchyard/testing';
import { stringify } from 'yaml';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway';
import { EMBED_INPUT, PROVIDER_CASES, QUESTION, ReplayServer, type ProviderCase, type RecordedRequest } from './providers-through-gateway.fixtures';
/* eslint-disable @nx/enforce-module-boundaries -- test-only: the replay server and Bedrock's frame encoders stay out of the providers library's public index */
import { errorFrame, eventFrame, eventStream, exceptionFrame } from '../../../libs/providers/src/bedrock/bedrock.fixtures';
import { reply, type Reply } from '../../../libs/providers/src/testing/replay-server';
/* eslint-enable @nx/enforce-module-boundaries */

jest.setTimeout(120_000);

// The canaries look like no known kind of key, so that only the credentials each adapter registers hide
// them, not the patterns that hide anything key-like as a second line.
const hex = (...parts: string[]) => createHash('sha256').update(parts.join('/')).digest('hex');
const canaryKey = (provider: string) => `canary-key-${hex(provider).slice(0, 24)}`;

/** Ollama's server sits behind Basic auth given in its base URL; every other provider has a key. */
const BASIC_USER = `canary-user-${hex('basic-user').slice(0, 12)}`;
const BASIC_PASSWORD = `canary-password-${hex('basic-password').slice(0, 16)}`;
const BASIC_AUTHORIZATION = Buffer.from(`${BASIC_USER}:${BASIC_PASSWORD}`).toString('base64');

const AWS = {
  AWS_ACCESS_KEY_ID: `CANARYKEYID${hex('aws-access-key-id').slice(0, 16).toUpperCase()}`,
  AWS_SECRET_ACCESS_KEY: `canary/${Buffer.from(hex('aws-secret'), 'hex').toString('base64').slice(0, 33)}`,
  AWS_SESSION_TOKEN: `canary-session-${Buffer.from(hex('aws-session'), 'hex').toString('base64')}`,
};

/** The canary credentials of each provider, by environment variable. */
function canaryEnv(testCase: ProviderCase): Record<string, string> {
  if (testCase.provider === 'bedrock') return AWS;
  if (testCase.provider === 'ollama') return {};
  return { [keyEnvOf(testCase)]: canaryKey(testCase.provider) };
}

/** vLLM runs without a key unless one is configured; this one is. */
const keyEnvOf = (testCase: ProviderCase) => Object.keys(testCase.env)[0] ?? `${testCase.provider.toUpperCase()}_API_KEY`;

const ENV: Record<string, string> = {
  AWS_REGION: 'eu-west-3',
  ...Object.assign({}, ...PROVIDER_CASES.map(canaryEnv)),
};
const CANARIES = [...PROVIDER_CASES.flatMap((testCase) => Object.values(canaryEnv(testCase))), BASIC_USER, BASIC_PASSWORD, BASIC_AUTHORIZATION];
const canariesOf = (testCase: ProviderCase) =>
  testCase.provider === 'ollama' ? [BASIC_USER, BASIC_PASSWORD, BASIC_AUTHORIZATION] : Object.values(canaryEnv(testCase));

const chatModel = (testCase: ProviderCase) => `${testCase.provider}-chat`;
const embedModel = (testCase: ProviderCase) => `${testCase.provider}-embed`;

function configYaml(servers: Map<string, ReplayServer>): string {
  const models: object[] = [];
  const blocks: Record<string, object> = {};
  for (const testCase of PROVIDER_CASES) {
    models.push({ name: chatModel(testCase), provider: testCase.provider, upstream_model: testCase.chat.model, capabilities: testCase.capabilities });
    if (testCase.embed) models.push({ name: embedModel(testCase), provider: testCase.provider, upstream_model: testCase.embed.model, capabilities: ['embeddings'] });
    const baseUrl = servers.get(testCase.provider)!.baseUrl;
    blocks[testCase.provider] = {
      ...testCase.block,
      base_url: `${testCase.provider === 'ollama' ? baseUrl.replace('://', `://${BASIC_USER}:${BASIC_PASSWORD}@`) : baseUrl}${testCase.basePath}`,
      ...(testCase.provider === 'bedrock' || testCase.provider === 'ollama' ? {} : { api_key_env: keyEnvOf(testCase) }),
    };
  }
  return stringify({ models, providers: blocks, limits: { default_timeout_ms: 20_000 } });
}

/** What a provider that quotes its request says: the headers and URL it received, and the credentials it was configured with. */
function echo(testCase: ProviderCase, request: RecordedRequest): string {
  const query = new URLSearchParams(request.query).toString();
  return `rejected ${JSON.stringify(request.headers)} for ${request.path}${query ? `?${query}` : ''}; account keys: ${canariesOf(testCase).join(', ')}`;
}

/** A text whose first `length` characters end partway into the provider's first credential, as a provider message cut at a limit does. */
function cutInCredential(testCase: ProviderCase, length: number): string {
  return `${'x'.repeat(length - 12)}${canariesOf(testCase)[0]} is not valid`;
}

type Wire = 'openai' | 'anthropic' | 'gemini' | 'cohere' | 'bedrock';
const wireOf = (testCase: ProviderCase): Wire =>
  (['anthropic', 'gemini', 'cohere', 'bedrock'] as const).find((wire) => wire === testCase.provider) ?? 'openai';

/** The first event of the provider's documented stream, so that failures come mid-stream. */
function firstEvent(testCase: ProviderCase): string {
  return `${(testCase.stream.replies[0].body as string).split('\n\n')[0]}\n\n`;
}

/** The provider's own way of reporting an error inside a stream, quoting `message`. */
function streamErrorEvent(testCase: ProviderCase, message: string): Reply {
  switch (wireOf(testCase)) {
    case 'bedrock':
      return reply.binary(eventStream([eventFrame('messageStart', { role: 'assistant' }), exceptionFrame('internalServerException', message)]));
    case 'anthropic':
      return reply.sse(`${firstEvent(testCase)}event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message } })}\n\n`);
    case 'gemini':
      return reply.sse(`data: ${JSON.stringify({ error: { code: 503, message, status: 'UNAVAILABLE' } })}\n\n`);
    case 'cohere':
      return reply.sse(`${firstEvent(testCase)}event: message-end\ndata: ${JSON.stringify({ type: 'message-end', delta: { error: message } })}\n\n`);
    case 'openai':
      return reply.sse(`${firstEvent(testCase)}data: ${JSON.stringify({ error: { message } })}\n\n`);
  }
}

/** An event whose data is not what the wire format says it is, quoting `message`. */
function malformedEvent(testCase: ProviderCase, message: string): Reply {
  if (wireOf(testCase) === 'bedrock') {
    return reply.binary(eventStream([eventFrame('messageStart', { role: 'assistant' }), eventFrame('contentBlockDelta', `{"delta": ${message}`)]));
  }
  return reply.sse(`${firstEvent(testCase)}data: {"delta": ${message}\n\n`);
}

/** An unmodelled error frame (Bedrock only), its message in a header. */
function errorFrameEvent(message: string): Reply {
  return reply.binary(eventStream([eventFrame('messageStart', { role: 'assistant' }), errorFrame('InternalFailure', message)]));
}

function httpError(testCase: ProviderCase, status: number, message: string): Reply {
  if (wireOf(testCase) === 'bedrock') return { ...reply.error(status, { message }), headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' } };
  return reply.error(status, { error: { message, type: 'authentication_error', code: 'invalid_api_key' } });
}

type Operation = 'chat' | 'stream' | 'embed';

interface Failure {
  name: string;
  operations: Operation[];
  code: ErrorCode;
  reply(testCase: ProviderCase, request: RecordedRequest): Reply;
}

const FAILURES: Failure[] = [
  { name: 'malformed stream event', operations: ['stream'], code: 'provider_bad_response', reply: (testCase, request) => malformedEvent(testCase, echo(testCase, request)) },
  { name: 'error event mid-stream', operations: ['stream'], code: 'provider_unavailable', reply: (testCase, request) => streamErrorEvent(testCase, echo(testCase, request)) },
  { name: 'truncated stream', operations: ['stream'], code: 'provider_bad_response', reply: (testCase) => reply.truncated(testCase.stream.replies[0] as Reply) },
  { name: 'error body echoing the request', operations: ['chat', 'stream', 'embed'], code: 'provider_auth_failed', reply: (testCase, request) => httpError(testCase, 403, echo(testCase, request)) },
  {
    name: 'error text cut inside a key',
    operations: ['chat', 'stream', 'embed'],
    code: 'provider_unavailable',
    reply: (testCase) => reply.error(500, cutInCredential(testCase, 500)),
  },
  { name: 'answer that is not JSON', operations: ['chat', 'embed'], code: 'provider_bad_response', reply: (testCase) => reply.notJson(cutInCredential(testCase, 200)) },
  { name: 'connection reset', operations: ['chat', 'stream', 'embed'], code: 'provider_unavailable', reply: () => reply.reset() },
];

/** Bedrock's unmodelled error frame carries its message in a header, which nothing else has. */
const BEDROCK_ERROR_FRAME: Failure = {
  name: 'error frame mid-stream',
  operations: ['stream'],
  code: 'provider_unavailable',
  reply: (testCase, request) => errorFrameEvent(echo(testCase, request)),
};

const failuresOf = (testCase: ProviderCase) => (testCase.provider === 'bedrock' ? [...FAILURES, BEDROCK_ERROR_FRAME] : FAILURES);

/** What one failed call gave the caller. */
interface Outcome {
  where: string;
  provider: string;
  expected: ErrorCode;
  code: string | undefined;
  /** gRPC status or HTTP status. */
  status: number;
  expectedStatus: number[];
  text: string;
}

describe('regression: a malformed stream event leaked the provider key to the caller', () => {
  const servers = new Map<string, ReplayServer>();
  const published: string[] = [];
  let stderr: ReturnType<typeof captureStderr>;
  let gateway: EmbeddedGateway;
  let client: AiGatewayClient;
  let dataDir: string;

  beforeAll(async () => {
    for (const testCase of PROVIDER_CASES) servers.set(testCase.provider, await ReplayServer.start());
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-canaries-'));
    stderr = captureStderr();
    gateway = await startEmbeddedGateway({
      config: parseGatewayConfig(configYaml(servers), 'canaries'),
      grpcAddress: '127.0.0.1:0',
      httpAddress: '127.0.0.1:0',
      dataDir,
      logger: createLogger('canaries', 'debug'),
      env: ENV,
    });
    const publish = gateway.bus.publish.bind(gateway.bus);
    gateway.bus.publish = async (topic, messages) => {
      for (const message of messages) published.push(`${topic} ${JSON.stringify(message)}`);
      return publish(topic, messages);
    };
    client = createGatewayClient(`127.0.0.1:${gateway.port}`);
  });

  afterAll(async () => {
    client?.close();
    await gateway?.stop();
    stderr?.stop();
    await Promise.all([...servers.values()].map((server) => server.close()));
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds a piece of a canary that is there, so that the scan below can fail', () => {
    const piece = CANARIES[0].slice(12, 21);
    expect(findCredentialLeaks([['planted', `before ${piece} after`], ['clean', 'nothing here']], CANARIES)).toEqual([
      { where: 'planted', credential: CANARIES[0], fragment: piece },
    ]);
  });

  it('shows no provider credential, whole or in part, in any log line, error answer, bus event or usage row', async () => {
    const outcomes: Outcome[] = [];
    for (const testCase of PROVIDER_CASES) {
      const server = servers.get(testCase.provider)!;
      for (const failure of failuresOf(testCase)) {
        for (const operation of failure.operations) {
          const exchange = operation === 'embed' ? testCase.embed : operation === 'chat' ? testCase.chat : testCase.stream;
          if (!exchange) continue;
          const where = `${testCase.provider} ${operation} ${failure.name}`;
          for (const frontDoor of ['grpc', 'http'] as const) {
            server.reset();
            server.on('POST', exchange.path, (request) => failure.reply(testCase, request));
            const outcome = frontDoor === 'grpc' ? await viaGrpc(testCase, operation) : await viaHttp(testCase, operation);
            const { http, grpc: grpcStatus } = ERROR_CODES[failure.code];
            // A stream that had begun cannot change its HTTP status: its error arrives as an event of a 200.
            const expectedStatus = frontDoor === 'grpc' ? [grpcStatus] : operation === 'stream' ? [http, 200] : [http];
            outcomes.push({ where: `${where} via ${frontDoor}`, provider: testCase.provider, expected: failure.code, expectedStatus, ...outcome });
          }
        }
      }
    }

    // Every failure reached the caller as the error it is, so the scan below looked at real error answers.
    expect(outcomes.filter((outcome) => outcome.code !== outcome.expected || !outcome.expectedStatus.includes(outcome.status))).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(PROVIDER_CASES.length * 20);

    const rows = await eventually(async () => {
      const result = (await gateway.db.query<Record<string, unknown>>('SELECT * FROM usage_events')).rows;
      return result.length >= outcomes.length ? result : undefined;
    }, `${outcomes.length} usage rows`);
    // One row for each answer, agreeing with it.
    const byProviderAndCode = (list: { provider: unknown; code: unknown }[]) => list.map((item) => `${item.provider} ${item.code}`).sort();
    expect(byProviderAndCode(rows.map((row) => ({ provider: row.provider, code: row.error_code })))).toEqual(
      byProviderAndCode(outcomes.map((outcome) => ({ provider: outcome.provider, code: outcome.expected }))),
    );

    const logLines = stderr.lines();
    expect(logLines.length).toBeGreaterThan(0);
    expect(published.length).toBeGreaterThan(outcomes.length);
    const scanned: [string, string][] = [
      ...logLines.map((line, index): [string, string] => [`log line ${index}`, line]),
      ...outcomes.map((outcome): [string, string] => [`answer to ${outcome.where}`, outcome.text]),
      ...published.map((event, index): [string, string] => [`bus event ${index}`, event]),
      ...rows.map((row): [string, string] => [`usage row ${row.request_id}`, JSON.stringify(row)]),
    ];
    expect(findCredentialLeaks(scanned, CANARIES)).toEqual([]);
  });

  async function viaGrpc(testCase: ProviderCase, operation: Operation): Promise<Omit<Outcome, 'where' | 'provider' | 'expected' | 'expectedStatus'>> {
    const question = { model: chatModel(testCase), messages: [{ role: 'user', content: QUESTION }], max_tokens: 100 };
    let call: Promise<unknown>;
    if (operation === 'chat') call = chat(client, question);
    else if (operation === 'stream') call = chatStream(client, question);
    else {
      call = new Promise<EmbedResponse__Output>((resolve, reject) =>
        client.Embed({ model: embedModel(testCase), input: EMBED_INPUT }, { deadline: Date.now() + 20_000 }, (error, result) => (error ? reject(error) : resolve(result!))),
      );
    }
    const error = await call.then(
      () => {
        throw new Error(`${testCase.provider} ${operation} succeeded where the provider failed`);
      },
      (thrown: grpc.ServiceError) => thrown,
    );
    return {
      code: error.metadata.get('switchyard-error-code')[0] as string | undefined,
      status: error.code,
      text: JSON.stringify({ message: error.message, details: error.details, metadata: error.metadata.getMap() }),
    };
  }

  async function viaHttp(testCase: ProviderCase, operation: Operation): Promise<Omit<Outcome, 'where' | 'provider' | 'expected' | 'expectedStatus'>> {
    const body =
      operation === 'embed'
        ? { model: embedModel(testCase), input: EMBED_INPUT }
        : { model: chatModel(testCase), messages: [{ role: 'user', content: QUESTION }], max_tokens: 100, stream: operation === 'stream' };
    const response = await fetch(`${gateway.httpUrl}/v1/${operation === 'embed' ? 'embeddings' : 'chat/completions'}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { code: httpErrorCode(text), status: response.status, text: `${JSON.stringify(Object.fromEntries(response.headers))} ${text}` };
  }
});

/** The gateway error code of an OpenAI-format answer: its error body, or the error event of a stream. */
function httpErrorCode(text: string): string | undefined {
  const bodies = text.startsWith('{') ? [text] : text.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice('data: '.length));
  for (const body of bodies) {
    try {
      const code = (JSON.parse(body) as { error?: { code?: string } }).error?.code;
      if (code) return code;
    } catch {
      // [DONE] and the like.
    }
  }
  return undefined;
}
