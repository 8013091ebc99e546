// The embedded gateway's SQL port: Postgres clients (psql, BI tools) query PGlite live, read-only, after
// giving the password. pglite-socket has no authentication, and it hands every client message, whole, to
// the one PGlite session the gateway itself writes through: `COMMIT; DELETE ...` or `RESET SESSION
// AUTHORIZATION` would run as the superuser the gateway is. No setting in that shared session can bind a
// client for good, so this port speaks the protocol itself and lets through only what it has checked:
//
// - SCRAM-SHA-256 password authentication (the password never crosses the wire);
// - one statement at a time (the extended protocol refuses several in one Parse), admitted only when
//   Postgres describes it as returning rows (SELECT, WITH, VALUES, TABLE, SHOW, EXPLAIN): SET, RESET,
//   BEGIN, COMMIT, PREPARE, DISCARD, COPY and every command without rows are refused before they run;
// - each admitted statement runs inside `BEGIN READ ONLY` as the reader role, which holds only
//   pg_read_all_data and may not call set_config (the one way to change a setting from a SELECT), and
//   the transaction is rolled back after it, all in one turn of PGlite that the gateway's own statements
//   cannot interleave with.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import * as net from 'node:net';

/** The role SQL port clients act as: SELECT on everything, nothing else. */
export const SQL_READER_ROLE = 'switchyard_reader';

/** Creates the reader role (once per data folder) and takes set_config from roles that are not superusers. */
export const SQL_READER_SETUP = `
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${SQL_READER_ROLE}') THEN CREATE ROLE ${SQL_READER_ROLE} NOLOGIN; END IF;
END $$;
GRANT pg_read_all_data TO ${SQL_READER_ROLE};
REVOKE EXECUTE ON FUNCTION pg_catalog.set_config(text, text, boolean) FROM PUBLIC;
`;

/** Runs protocol messages in order in PGlite, with nothing else in between, and returns each one's output. */
export type RunProtocol = (messages: Uint8Array[]) => Promise<Uint8Array[]>;

export interface SqlPortOptions {
  host: string;
  port: number;
  password: string;
  run: RunProtocol;
}

export interface SqlPort {
  /** host:port it listens on. */
  address: string;
  stop(): Promise<void>;
}

const MAX_CONNECTIONS = 16;
// Postgres' own bound on a startup packet; a query's text has room for any analytics query.
const MAX_STARTUP_BYTES = 10_000;
const MAX_MESSAGE_BYTES = 1 << 20;
const AUTHENTICATION_TIMEOUT_MS = 10_000;
const SCRAM_ITERATIONS = 4096;
const PROTOCOL_3_0 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

// Should the SET fail, the transaction is left aborted and refuses every statement after it until the
// ROLLBACK: the port fails closed. A role, not a session authorization: PGlite never records its session
// user as session_authorization, so that one would not come back at the ROLLBACK and the gateway would
// go on as the reader.
const BEGIN_AS_READER = query(`BEGIN READ ONLY; SET LOCAL ROLE ${SQL_READER_ROLE}`);
const ROLLBACK = query('ROLLBACK');
const SYNC = message('S', Buffer.alloc(0));
const DESCRIBE_STATEMENT = message('D', Buffer.from('S\0'));
const DESCRIBE_PORTAL = message('D', Buffer.from('P\0'));
const EXECUTE_ALL = message('E', Buffer.concat([Buffer.from('\0'), int32(0)]));
const BIND_NO_PARAMETERS = message('B', Buffer.concat([Buffer.from('\0\0'), int16(0), int16(0), int16(0)]));
const READY = message('Z', Buffer.from('I'));
// Backend messages a client does not get from the wrapping: transaction status and parameter reports
// (which would tell of the reader role the port switches to and back).
const UNRELAYED = new Set(['Z', 'S']);

/** Serves PGlite read-only on host:port to clients that know the password (see the top of this file). */
export async function startSqlPort(options: SqlPortOptions): Promise<SqlPort> {
  if (!options.password) throw new Error('the SQL port needs a password');
  const verifier = scramVerifier(options.password);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    new SqlConnection(socket, verifier, options.run);
  });
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as net.AddressInfo;
  return {
    address: `${address}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface ScramVerifier {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

// Derived once: what a Postgres server stores for a SCRAM password, so each login costs two HMACs.
function scramVerifier(password: string): ScramVerifier {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, SCRAM_ITERATIONS, 32, 'sha256');
  return { salt, storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

type Frontend = { type: string; body: Buffer; raw: Buffer };

class SqlConnection {
  private buffer = Buffer.alloc(0);
  private state: 'startup' | 'sasl-initial' | 'sasl-final' | 'ready' | 'closed' = 'startup';
  private startup: Buffer | undefined;
  // Set as soon as the startup packet is read (its handling comes later): every message after it is typed.
  private typedFrames = false;
  private scram: { gs2Header: string; clientFirstBare: string; serverFirst: string; nonce: string } | undefined;
  // The extended-protocol messages since the last Sync, run together when it comes.
  private batch: Frontend[] = [];
  private batchError: string | undefined;
  // Messages are handled one at a time, in order; a client may send many before reading any answer.
  private work: Promise<void> = Promise.resolve();
  private readonly authTimer: NodeJS.Timeout;

  constructor(
    private readonly socket: net.Socket,
    private readonly verifier: ScramVerifier,
    private readonly run: RunProtocol,
  ) {
    socket.setNoDelay(true);
    socket.on('error', () => this.close());
    socket.on('data', (data) => this.receive(data));
    this.authTimer = setTimeout(() => this.fatal('28000', 'authentication took too long'), AUTHENTICATION_TIMEOUT_MS);
  }

  private receive(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      if (this.state === 'closed') return;
      const frame = this.typedFrames ? this.takeTypedFrame() : this.takeStartupFrame();
      if (!frame) return;
      this.work = this.work.then(() => this.handle(frame)).catch((error: Error) => this.fatal('XX000', error.message));
    }
  }

  private takeStartupFrame(): Frontend | undefined {
    if (this.buffer.length < 4) return undefined;
    const length = this.buffer.readInt32BE(0);
    if (length < 8 || length > MAX_STARTUP_BYTES) {
      this.fatal('08P01', 'invalid startup packet length');
      return undefined;
    }
    if (this.buffer.length < length) return undefined;
    const raw = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    if (raw.readInt32BE(4) >> 16 === 3) this.typedFrames = true;
    return { type: '', body: raw.subarray(4), raw };
  }

  private takeTypedFrame(): Frontend | undefined {
    if (this.buffer.length < 5) return undefined;
    const length = this.buffer.readInt32BE(1);
    if (length < 4 || length > MAX_MESSAGE_BYTES) {
      this.fatal('54000', `a message of ${length} bytes; this port takes at most ${MAX_MESSAGE_BYTES}`);
      return undefined;
    }
    if (this.buffer.length < length + 1) return undefined;
    const raw = this.buffer.subarray(0, length + 1);
    this.buffer = this.buffer.subarray(length + 1);
    return { type: String.fromCharCode(raw[0]), body: raw.subarray(5), raw };
  }

  private async handle(frame: Frontend): Promise<void> {
    if (this.state === 'closed') return;
    if (this.state === 'startup') return this.handleStartup(frame);
    if (this.state !== 'ready') return this.handleAuthentication(frame);
    switch (frame.type) {
      case 'Q':
        return this.simpleQuery(cString(frame.body, 0).text);
      case 'P':
      case 'B':
      case 'D':
      case 'E':
      case 'C':
        this.batchError ??= unnamedOnly(frame, this.batch);
        this.batch.push(frame);
        return;
      case 'H':
        return;
      case 'S':
        return this.runBatch();
      case 'X':
        return this.close();
      default:
        this.send(errorResponse('ERROR', '0A000', `protocol message ${JSON.stringify(frame.type)} is not supported on this read-only port`), READY);
    }
  }

  private handleStartup(frame: Frontend): void {
    const code = frame.body.readInt32BE(0);
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) return this.send(Buffer.from('N'));
    // Cancelling is not supported: a statement runs to its end.
    if (code === CANCEL_REQUEST) return this.close();
    if (code >> 16 !== 3) return this.fatal('0A000', `unsupported frontend protocol ${code >> 16}.${code & 0xffff}: this port speaks 3.0`);
    // PGlite answers the startup packet itself; it is rewritten as a plain 3.0 one for it.
    this.startup = Buffer.concat([int32(frame.raw.length), int32(PROTOCOL_3_0), frame.body.subarray(4)]);
    if (code !== PROTOCOL_3_0) this.send(message('v', Buffer.concat([int32(0), int32(0)])));
    this.state = 'sasl-initial';
    this.send(message('R', Buffer.concat([int32(10), Buffer.from('SCRAM-SHA-256\0\0')])));
  }

  private async handleAuthentication(frame: Frontend): Promise<void> {
    if (frame.type !== 'p') return this.fatal('08P01', 'expected a password message');
    if (this.state === 'sasl-initial') {
      const mechanism = cString(frame.body, 0);
      if (mechanism.text !== 'SCRAM-SHA-256') return this.fatal('28000', `authentication mechanism ${mechanism.text} is not supported; this port takes SCRAM-SHA-256`);
      const clientFirst = frame.body.subarray(mechanism.end + 4).toString('utf8');
      // "y": the client could bind the channel but was not offered it; both mean no channel binding.
      const match = /^([ny],,)(n=[^,]*,r=([^,]+).*)$/.exec(clientFirst);
      if (!match) return this.fatal('08P01', 'malformed SCRAM client-first-message (channel binding is not supported)');
      const nonce = match[3] + randomBytes(18).toString('base64');
      const serverFirst = `r=${nonce},s=${this.verifier.salt.toString('base64')},i=${SCRAM_ITERATIONS}`;
      this.scram = { gs2Header: Buffer.from(match[1]).toString('base64'), clientFirstBare: match[2], serverFirst, nonce };
      this.state = 'sasl-final';
      return this.send(message('R', Buffer.concat([int32(11), Buffer.from(serverFirst)])));
    }
    const scram = this.scram!;
    const clientFinal = frame.body.toString('utf8');
    const match = /^(c=([^,]*),r=([^,]+)),p=([A-Za-z0-9+/=]+)$/.exec(clientFinal);
    const authMessage = `${scram.clientFirstBare},${scram.serverFirst},${match?.[1]}`;
    const proof = Buffer.from(match?.[4] ?? '', 'base64');
    const signature = hmac(this.verifier.storedKey, authMessage);
    const valid =
      match !== null &&
      match[2] === scram.gs2Header &&
      match[3] === scram.nonce &&
      proof.length === signature.length &&
      timingSafeEqual(sha256(xor(proof, signature)), this.verifier.storedKey);
    if (!valid) return this.fatal('28P01', 'password authentication failed');
    clearTimeout(this.authTimer);
    this.send(message('R', Buffer.concat([int32(12), Buffer.from(`v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}`)])));
    const [greeting] = await this.run([this.startup!]);
    this.state = 'ready';
    this.send(Buffer.from(greeting));
  }

  private async simpleQuery(sql: string): Promise<void> {
    const parse = message('P', Buffer.concat([Buffer.from(`\0${sql}\0`), int16(0)]));
    if (!(await this.admits([parse]))) return;
    const outputs = await this.run([BEGIN_AS_READER, parse, BIND_NO_PARAMETERS, DESCRIBE_PORTAL, EXECUTE_ALL, SYNC, ROLLBACK]);
    // A simple query's answer has no parse, bind or describe acknowledgements.
    this.send(...outputs.slice(1, 6).map((output) => relayed(output, new Set([...UNRELAYED, '1', '2']))), READY);
  }

  private async runBatch(): Promise<void> {
    const batch = this.batch;
    const error = this.batchError;
    this.batch = [];
    this.batchError = undefined;
    if (error) return this.send(errorResponse('ERROR', '0A000', error), READY);
    if (!(await this.admits(batch.filter((frame) => frame.type === 'P').map((frame) => frame.raw)))) return;
    const outputs = await this.run([BEGIN_AS_READER, ...batch.map((frame) => frame.raw), SYNC, ROLLBACK]);
    this.send(...outputs.slice(1, -1).map((output) => relayed(output, UNRELAYED)), READY);
  }

  /**
   * Whether every statement parses alone and returns rows, as the reader; otherwise tells the client why
   * (Postgres' own error, or the refusal) and answers ReadyForQuery.
   */
  private async admits(parses: Buffer[]): Promise<boolean> {
    const outputs = await this.run([BEGIN_AS_READER, ...parses.flatMap((parse) => [parse, DESCRIBE_STATEMENT, SYNC]), ROLLBACK]);
    for (let i = 0; i < parses.length; i++) {
      const answer = Buffer.concat(outputs.slice(1 + i * 3, 4 + i * 3));
      const types = backendTypes(answer);
      if (types.includes('E')) {
        this.send(relayed(answer, UNRELAYED), READY);
        return false;
      }
      if (!types.includes('T')) {
        this.send(errorResponse('ERROR', '25006', 'this SQL port is read-only: it runs only statements that return rows (SELECT, WITH, VALUES, TABLE, SHOW, EXPLAIN)'), READY);
        return false;
      }
    }
    return true;
  }

  private send(...chunks: Uint8Array[]): void {
    if (this.state !== 'closed' && this.socket.writable) this.socket.write(Buffer.concat(chunks));
  }

  private fatal(code: string, text: string): void {
    this.send(errorResponse('FATAL', code, text));
    this.close();
  }

  private close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.authTimer);
    this.socket.end();
  }
}

/** Refuses named statements and portals (they would outlive the batch in the session every client shares). */
function unnamedOnly(frame: Frontend, batch: Frontend[]): string | undefined {
  const named = 'named prepared statements and portals are not supported on this read-only port; use unnamed ones';
  const parsed = batch.some((earlier) => earlier.type === 'P');
  const bound = batch.some((earlier) => earlier.type === 'B');
  if (frame.type === 'P') return cString(frame.body, 0).text === '' ? undefined : named;
  if (frame.type === 'B') {
    const portal = cString(frame.body, 0);
    if (portal.text !== '' || cString(frame.body, portal.end).text !== '') return named;
    return parsed ? undefined : 'Bind must follow a Parse in the same batch on this port';
  }
  const kind = String.fromCharCode(frame.body[0]);
  const name = frame.type === 'E' ? cString(frame.body, 0).text : cString(frame.body, 1).text;
  if (name !== '') return named;
  if (frame.type === 'C') return undefined;
  const portal = frame.type === 'E' || kind === 'P';
  if (portal ? !bound : !parsed) return `${portal ? 'a portal' : 'a statement'} must be made in the same batch on this port`;
  return undefined;
}

function backendTypes(output: Buffer): string[] {
  const types: string[] = [];
  for (let at = 0; at + 5 <= output.length; at += 1 + output.readInt32BE(at + 1)) types.push(String.fromCharCode(output[at]));
  return types;
}

function relayed(output: Uint8Array, dropped: Set<string>): Buffer {
  const buffer = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
  const kept: Buffer[] = [];
  for (let at = 0; at + 5 <= buffer.length; ) {
    const end = at + 1 + buffer.readInt32BE(at + 1);
    if (!dropped.has(String.fromCharCode(buffer[at]))) kept.push(buffer.subarray(at, end));
    at = end;
  }
  return Buffer.concat(kept);
}

function cString(buffer: Buffer, start: number): { text: string; end: number } {
  const nul = buffer.indexOf(0, start);
  const end = nul < 0 ? buffer.length : nul;
  return { text: buffer.toString('utf8', start, end), end: end + 1 };
}

function message(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
}

function query(sql: string): Buffer {
  return message('Q', Buffer.from(`${sql}\0`));
}

function errorResponse(severity: 'ERROR' | 'FATAL', code: string, text: string): Buffer {
  return message('E', Buffer.from(`S${severity}\0V${severity}\0C${code}\0M${text}\0\0`));
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

function int16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeInt16BE(value);
  return buffer;
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  return Buffer.from(a.map((byte, i) => byte ^ b[i]));
}
