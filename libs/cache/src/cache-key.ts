// What the response cache does with a request, worked out from the request and the model's cache
// settings alone: whether to look up, whether to store, and under which key.
import { createHash } from 'node:crypto';
import type { CacheConfig, CachePolicies, CachePolicy } from '@switchyard/config';
import type { CacheStatus, ChatRequest, RequestEvent } from '@switchyard/contracts';

/** The response cache's plan for one request: `key` is set when it looks up or stores. */
export interface CachePlan {
  /** The status the answer reports unless the lookup hits. */
  status: Exclude<CacheStatus, 'hit'>;
  lookup: boolean;
  store: boolean;
  key?: string;
  /**
   * Semantic mode: requests whose answers may stand for each other when their prompts are close (the
   * same model, caller scope, system prompt, tools, response format and parameters), and the prompt
   * text whose embedding is compared.
   */
  semantic?: { scope: string; prompt: string };
  /** The settings the plan was made with: the model's, narrowed by the caller's team and key policies. */
  config: CacheConfig;
}

const BYPASS = { status: 'bypass', lookup: false, store: false } as const;
const NO_POLICIES: CachePolicies = { keys: {}, teams: {} };

// Fields of a chat request that never change its answer: tags for analytics and the caller's end user
// id (abuse monitoring). Everything else is in the key, so a field added to ChatRequest later splits
// the cache rather than serving one answer for two different requests.
const NOT_ANSWER_CHANGING = new Set<keyof ChatRequest>(['metadata', 'user']);

// Bumped when the canonical form changes, so that entries of an older form are never read as this one's.
const KEY_FORMAT = 1;

/**
 * The plan for a request to a model whose cache is `modelConfig`, under the caller's team and key policies.
 * `outputLayers` names the team and key guardrails that changed the answer's output rules from its
 * model's: an answer is stored as they left it, so it is served only to requests guarded alike.
 */
export function planCache(request: RequestEvent, modelConfig: CacheConfig, policies: CachePolicies = NO_POLICIES, outputLayers?: string): CachePlan {
  const config = callerCacheConfig(modelConfig, policies, request);
  if (!config) return { ...BYPASS, config: modelConfig };
  const chat = request.chat;
  // With reversible masking, the answer carries this caller's own values put back: never another's.
  if (request.kind !== 'chat' || !chat || request.cache_control === 'no-store' || request.guardrail_placeholders) return { ...BYPASS, config };
  if (config.deterministic_only && !isDeterministic(chat)) return { ...BYPASS, config };
  const key = cacheKeyOf(request, config, outputLayers);
  const semantic = config.mode === 'semantic' ? { scope: semanticScopeOf(request, config, outputLayers), prompt: promptText(chat) } : undefined;
  if (request.cache_control === 'no-cache') return { status: 'bypass', lookup: false, store: true, key, ...(semantic ? { semantic } : {}), config };
  return { status: 'miss', lookup: true, store: true, key, ...(semantic ? { semantic } : {}), config };
}

// How many callers share a scope's answers, least first: a policy may move a model's scope down this list only.
const SCOPE_BREADTH: Record<CacheConfig['scope'], number> = { key: 0, team: 1, global: 2 };

/**
 * The model's cache settings narrowed by the policies of the caller's team and of its key (by
 * api_key_id and by name): every one that applies narrows, whatever their order, so a key cannot undo
 * what its team narrowed. Undefined when one of them turns caching off.
 */
export function callerCacheConfig(config: CacheConfig, policies: CachePolicies, caller: Pick<RequestEvent, 'api_key_id' | 'key_name' | 'team'>): CacheConfig | undefined {
  const applying = [policyOf(policies.teams, caller.team), policyOf(policies.keys, caller.api_key_id), policyOf(policies.keys, caller.key_name)];
  let narrowed = config;
  for (const policy of applying) {
    if (!policy) continue;
    if (policy.enabled === false) return undefined;
    narrowed = {
      ...narrowed,
      ...(policy.scope && SCOPE_BREADTH[policy.scope] < SCOPE_BREADTH[narrowed.scope] ? { scope: policy.scope } : {}),
      ...(policy.mode ? { mode: policy.mode } : {}),
      ...(policy.threshold !== undefined && policy.threshold > narrowed.threshold ? { threshold: policy.threshold } : {}),
      ...(policy.deterministic_only ? { deterministic_only: true } : {}),
    };
  }
  return narrowed;
}

// Own properties only: a key named "constructor" must not find Object's.
function policyOf(byName: Record<string, CachePolicy>, name: string | undefined): CachePolicy | undefined {
  return name !== undefined && Object.hasOwn(byName, name) ? byName[name] : undefined;
}

/** Temperature 0 or a seed: the provider is asked for the same answer each time. */
export function isDeterministic(chat: ChatRequest): boolean {
  return chat.temperature === 0 || (chat.seed !== undefined && chat.seed !== null);
}

/**
 * SHA-256 (hex) of the canonical request: the model as the caller named it (a route's name), every
 * answer-changing field with object keys sorted and absent values dropped, the caller's key or team
 * when the cache is scoped to it, and the output guardrails' layers when a team or key has its own.
 * A key without a team shares a team-scoped cache with itself only.
 */
export function cacheKeyOf(request: RequestEvent, config: Pick<CacheConfig, 'scope'>, outputLayers?: string): string {
  return digestOf(request, config, request.chat!.messages, outputLayers);
}

/** The exact key with only the system messages of the conversation: what a semantic hit must share with the stored request. */
export function semanticScopeOf(request: RequestEvent, config: Pick<CacheConfig, 'scope'>, outputLayers?: string): string {
  return digestOf(request, config, request.chat!.messages.filter((message) => message.role === 'system'), outputLayers, 'semantic');
}

/** The conversation but its system messages, as the text whose embedding a semantic lookup compares. */
export function promptText(chat: ChatRequest): string {
  return chat.messages
    .filter((message) => message.role !== 'system')
    .map((message) => `${message.role}: ${[message.content ?? '', ...(message.content_parts ?? []).map((part) => part.text ?? '')].join('')}`)
    .join('\n');
}

function digestOf(request: RequestEvent, config: Pick<CacheConfig, 'scope'>, messages: ChatRequest['messages'], outputLayers: string | undefined, kind?: 'semantic'): string {
  const answerChanging: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(request.chat!)) if (!NOT_ANSWER_CHANGING.has(field as keyof ChatRequest)) answerChanging[field] = value;
  answerChanging.messages = messages;
  const scope = config.scope === 'global' ? null : config.scope === 'team' && request.team ? `team:${request.team}` : `key:${request.api_key_id}`;
  // Absent members are dropped: a request without layers keeps the key it had before they existed.
  return createHash('sha256').update(canonicalJson({ format: KEY_FORMAT, kind, scope, output_guardrails: outputLayers, request: answerChanging })).digest('hex');
}

/** Cosine similarity of two vectors of one length; 0 when either is all zeros or their lengths differ. */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
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
