// What the response cache does with a request, worked out from the request and the model's cache
// settings alone: whether to look up, whether to store, and under which key.
import { createHash } from 'node:crypto';
import type { CacheConfig } from '@switchyard/config';
import type { CacheStatus, ChatRequest, RequestEvent } from '@switchyard/contracts';

/** The response cache's plan for one request: `key` is set when it looks up or stores. */
export interface CachePlan {
  /** The status the answer reports unless the lookup hits. */
  status: Exclude<CacheStatus, 'hit'>;
  lookup: boolean;
  store: boolean;
  key?: string;
}

const BYPASS: CachePlan = { status: 'bypass', lookup: false, store: false };

// Fields of a chat request that never change its answer: tags for analytics and the caller's end user
// id (abuse monitoring). Everything else is in the key, so a field added to ChatRequest later splits
// the cache rather than serving one answer for two different requests.
const NOT_ANSWER_CHANGING = new Set<keyof ChatRequest>(['metadata', 'user']);

// Bumped when the canonical form changes, so that entries of an older form are never read as this one's.
const KEY_FORMAT = 1;

export function planCache(request: RequestEvent, config: CacheConfig): CachePlan {
  const chat = request.chat;
  // With reversible masking, the answer carries this caller's own values put back: never another's.
  if (request.kind !== 'chat' || !chat || request.cache_control === 'no-store' || request.guardrail_placeholders) return BYPASS;
  if (config.deterministic_only && !isDeterministic(chat)) return BYPASS;
  const key = cacheKeyOf(request, config);
  if (request.cache_control === 'no-cache') return { status: 'bypass', lookup: false, store: true, key };
  return { status: 'miss', lookup: true, store: true, key };
}

/** Temperature 0 or a seed: the provider is asked for the same answer each time. */
export function isDeterministic(chat: ChatRequest): boolean {
  return chat.temperature === 0 || (chat.seed !== undefined && chat.seed !== null);
}

/**
 * SHA-256 (hex) of the canonical request: the model as the caller named it (a route's name), every
 * answer-changing field with object keys sorted and absent values dropped, and the caller's key or
 * team when the cache is scoped to it. A key without a team shares a team-scoped cache with itself only.
 */
export function cacheKeyOf(request: RequestEvent, config: Pick<CacheConfig, 'scope'>): string {
  const chat = request.chat!;
  const answerChanging: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(chat)) if (!NOT_ANSWER_CHANGING.has(field as keyof ChatRequest)) answerChanging[field] = value;
  const scope = config.scope === 'global' ? null : config.scope === 'team' && request.team ? `team:${request.team}` : `key:${request.api_key_id}`;
  return createHash('sha256').update(canonicalJson({ format: KEY_FORMAT, scope, request: answerChanging })).digest('hex');
}

/** JSON with object keys sorted at every level and undefined or null members dropped; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (typeof value === 'object') {
    const members: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined && member !== null) members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
    }
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}
