// Who may put events on switchyard.requests once virtual keys are on. The front door signs each request
// it publishes, and metering each settlement, with a key derived from GATEWAY_KEY_ID_SECRET, over the
// fields that say who pays and where the answer goes; any other producer (a batch job) must carry a
// producer token the admin API issued for a virtual key, which the router exchanges for that key's
// identity and limits. Anything else is dead-lettered with the reason. Which clients may produce to
// the topic at all is the broker's to decide (Kafka ACLs, SASL; docs/keys.md).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidEventError, requestedModel, type RequestEvent, type RequestsTopicEvent, type SettlementEvent } from '@switchyard/contracts';
import type { KeyDirectory } from './key-directory';

const TOKEN_PREFIX = 'sypt_';
/** A producer token lives at most this long: a leaked one stops working by itself. */
export const PRODUCER_TOKEN_MAX_TTL_MS = 30 * 86_400_000;
const TOKEN = /^sypt_(vk_[0-9a-f]{16})\.(\d{13})\.([A-Za-z0-9_-]{43})$/;

/** The fields a request's signature covers: who it is for, what limits hold it, and where its answer goes. */
function requestIdentity(event: RequestEvent): string {
  return ['request', event.request_id, event.api_key_id, event.key_name ?? '', event.team ?? '', JSON.stringify(event.limits ?? null), event.reply_to].join('\n');
}

function settlementIdentity(event: SettlementEvent): string {
  return ['settlement', event.request_id, event.received_at, JSON.stringify(event.limits), JSON.stringify(event.reservation), event.tokens, event.cost_usd].join('\n');
}

export class EventSigner {
  private readonly key: Buffer;

  constructor(keyIdSecret: string) {
    this.key = createHmac('sha256', keyIdSecret).update('switchyard event signatures v1').digest();
  }

  signRequest(event: RequestEvent): void {
    event.signature = this.mac(requestIdentity(event));
  }

  signSettlement(event: SettlementEvent): void {
    event.signature = this.mac(settlementIdentity(event));
  }

  /** A token with which a producer may send requests as the key until `expiresAt` (epoch ms). */
  producerToken(keyId: string, expiresAt: number): string {
    const body = `${keyId}.${expiresAt}`;
    return `${TOKEN_PREFIX}${body}.${this.mac(`token\n${body}`)}`;
  }

  /** Whether `signature` is this key's over `text`, compared in constant time. */
  verifies(text: string, signature: string | undefined): boolean {
    if (signature === undefined) return false;
    const expected = Buffer.from(this.mac(text));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }
}

/** The router's check of what it reads, with the keys every ingress holds. */
export class EventAuthenticator {
  constructor(
    private readonly signer: EventSigner,
    private readonly directory: KeyDirectory,
  ) {}

  /** The event as the gateway trusts it, or InvalidEventError saying why it is not one. */
  authenticate(event: RequestsTopicEvent, now = Date.now()): RequestsTopicEvent {
    if ('type' in event) {
      if (!this.signer.verifies(settlementIdentity(event), event.signature)) throw new InvalidEventError('a settlement must carry the signature of the metering service that sent it');
      return event;
    }
    if (event.producer_token !== undefined) return this.fromProducer(event, now);
    if (this.signer.verifies(requestIdentity(event), event.signature)) return event;
    throw new InvalidEventError(
      event.signature === undefined
        ? 'with virtual keys on, a request produced to switchyard.requests must carry a producer_token (POST /admin/v1/keys/{id}/producer-token); this one has none'
        : "the request's signature does not match its api_key_id, key_name, team, limits and reply_to",
    );
  }

  private fromProducer(event: RequestEvent, now: number): RequestEvent {
    const match = typeof event.producer_token === 'string' ? TOKEN.exec(event.producer_token) : null;
    if (!match || !this.signer.verifies(`token\n${match[1]}.${match[2]}`, match[3])) throw new InvalidEventError('producer_token is not a token this gateway issued');
    const [, keyId, expiresAt] = match;
    if (Number(expiresAt) <= now) throw new InvalidEventError(`producer_token for the virtual key ${keyId} expired at ${new Date(Number(expiresAt)).toISOString()}`);
    const found = this.directory.callerById(keyId, now);
    if (!found) throw new InvalidEventError(`producer_token names the virtual key ${keyId}, which does not exist`);
    if ('refused' in found) throw new InvalidEventError(`producer_token: ${found.refused}`);
    const { caller } = found;
    const trusted: RequestEvent = { ...event, api_key_id: caller.api_key_id, key_name: caller.key_name };
    delete trusted.producer_token;
    delete trusted.team;
    delete trusted.limits;
    delete trusted.reservation;
    delete trusted.rate_limit;
    if (caller.team) trusted.team = caller.team;
    if (caller.limits) trusted.limits = caller.limits;
    return trusted;
  }

  /** model_not_allowed's reason, when the request's virtual key may not use its model. */
  modelRefusal(event: RequestEvent): string | undefined {
    const model = requestedModel(event);
    const found = event.api_key_id.startsWith('vk_') ? this.directory.callerById(event.api_key_id) : undefined;
    if (!found || 'refused' in found || found.caller.allows(model)) return undefined;
    return `the virtual key ${found.caller.api_key_id} (${found.caller.key_name}) may not use model ${JSON.stringify(model)}`;
  }
}
