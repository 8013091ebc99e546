// The AWS event-stream framing (application/vnd.amazon.eventstream) of ConverseStream answers. Each
// frame is [total length u32][headers length u32][prelude CRC][headers][payload][message CRC]; the
// codec checks both CRCs. Network reads cut frames anywhere, so bytes are buffered until a frame is whole.
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { GatewayError } from '@switchyard/contracts';

/** What one frame means, read from its :message-type header. */
export type EventStreamFrame =
  | { kind: 'event'; eventType: string; payload: unknown }
  /** A modelled error (:exception-type, e.g. throttlingException) with its JSON body. */
  | { kind: 'exception'; exceptionType: string; message: string }
  /** An unmodelled error, described by :error-code and :error-message headers. */
  | { kind: 'error'; errorCode: string; message: string };

const PRELUDE_BYTES = 12;

export function createEventStreamCodec(): EventStreamCodec {
  return new EventStreamCodec(toUtf8, fromUtf8);
}

export class EventStreamDecoder {
  private readonly codec = createEventStreamCodec();
  private buffer: Uint8Array = new Uint8Array(0);

  constructor(private readonly provider: string) {}

  /** The frames completed by these bytes. */
  push(chunk: Uint8Array): EventStreamFrame[] {
    this.buffer = this.buffer.length === 0 ? chunk : concat(this.buffer, chunk);
    const frames: EventStreamFrame[] = [];
    while (this.buffer.length >= PRELUDE_BYTES) {
      const total = new DataView(this.buffer.buffer, this.buffer.byteOffset, 4).getUint32(0, false);
      if (total < PRELUDE_BYTES + 4) throw new GatewayError('provider_bad_response', `${this.provider} sent an event-stream frame of impossible length ${total}`);
      if (this.buffer.length < total) break;
      frames.push(this.read(this.buffer.subarray(0, total)));
      this.buffer = this.buffer.subarray(total);
    }
    return frames;
  }

  /** Bytes of a frame that has not arrived whole; non-zero at the end of a stream means it was cut. */
  get pendingBytes(): number {
    return this.buffer.length;
  }

  private read(bytes: Uint8Array): EventStreamFrame {
    let message: ReturnType<EventStreamCodec['decode']>;
    try {
      message = this.codec.decode(bytes);
    } catch (error) {
      throw new GatewayError('provider_bad_response', `${this.provider} sent a corrupt event-stream frame: ${(error as Error).message}`);
    }
    const header = (name: string) => {
      const value = message.headers[name]?.value;
      return typeof value === 'string' ? value : undefined;
    };
    const messageType = header(':message-type');
    if (messageType === 'error') {
      return { kind: 'error', errorCode: header(':error-code') ?? 'unknown', message: header(':error-message') ?? '' };
    }
    const text = toUtf8(message.body);
    let payload: unknown;
    try {
      payload = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new GatewayError('provider_bad_response', `${this.provider} sent a stream event that is not JSON: ${text.slice(0, 200)}`);
    }
    if (messageType === 'exception') {
      const body = payload as { message?: string; Message?: string };
      return { kind: 'exception', exceptionType: header(':exception-type') ?? 'unknown', message: body.message ?? body.Message ?? '' };
    }
    if (messageType === 'event') return { kind: 'event', eventType: header(':event-type') ?? '', payload };
    throw new GatewayError('provider_bad_response', `${this.provider} sent an event-stream frame of unknown :message-type ${messageType ?? '(none)'}`);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
