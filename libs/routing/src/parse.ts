// Reads the `route` key of a model, as parsed from YAML, into a route tree, and says what is wrong
// with it, naming each problem's path in the file.
import {
  DEFAULT_RETRY,
  STRATEGIES,
  type Condition,
  type RetryPolicy,
  type RouteNode,
  type SizeFact,
  type Strategy,
  type Target,
} from './route';

/** What the tree is checked against. */
export interface RouteContext {
  /** Whether a provider block of this name is configured. */
  hasProvider(name: string): boolean;
  /** The capabilities the model declares. */
  capabilities: readonly string[];
  /** What the file says a target offers, when it says (another model served by it alone); undefined: not said. */
  targetCapabilities(target: Target): readonly string[] | undefined;
}

export class RouteError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'RouteError';
  }
}

/** Error codes a fallback node may add, under `on:`, to those it always moves on from. */
export const FALLBACK_ON_CODES = ['provider_invalid_request', 'provider_auth_failed'] as const;

const KINDS = ['target', 'fallback', 'loadbalance', 'conditional', 'split'] as const;
const SHARED_KEYS = ['retry', 'timeout_ms'];
const CONDITION_FLAGS = ['tools', 'images', 'stream'] as const;
const SIZE_FACTS = ['prompt_tokens', 'messages'] as const;
const MAX_SIZE = 100_000_000;

interface Inherited {
  retry: RetryPolicy;
  timeout_ms?: number;
  /** Inside a loadbalance, a member may carry its weight. */
  weighted: boolean;
}

/** `provider/upstream model`: the upstream model may itself hold '/'. */
export function parseTarget(text: string): Target | undefined {
  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1) return undefined;
  return { provider: text.slice(0, slash), upstream_model: text.slice(slash + 1) };
}

/** The tree the value describes; throws RouteError listing every problem, each with its path. */
export function parseRoute(value: unknown, path: string, context: RouteContext): RouteNode {
  const problems: string[] = [];
  const node = parseNode(value, path, context, { retry: DEFAULT_RETRY, weighted: false }, problems);
  if (problems.length > 0) throw new RouteError(problems);
  return node!;
}

function parseNode(value: unknown, path: string, context: RouteContext, inherited: Inherited, problems: string[]): RouteNode | undefined {
  if (!isObject(value)) {
    problems.push(`${path}: expected a route node (target, fallback, loadbalance, conditional or split)`);
    return undefined;
  }
  const kinds = KINDS.filter((kind) => kind in value);
  if (kinds.length !== 1) {
    problems.push(`${path}: ${kinds.length === 0 ? 'an empty node' : `one node holds ${kinds.join(' and ')}`}; give exactly one of ${KINDS.join(', ')}`);
    return undefined;
  }
  const kind = kinds[0];
  const allowed = new Set<string>([kind, ...SHARED_KEYS, ...(inherited.weighted ? ['weight'] : []), ...(kind === 'fallback' ? ['on'] : [])]);
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) problems.push(`${path}.${key}: unknown key${key === 'weight' ? ' (weight belongs to the members of a loadbalance)' : ''}`);
  }
  const own: Inherited = {
    retry: 'retry' in value ? parseRetry(value.retry, `${path}.retry`, inherited.retry, problems) : inherited.retry,
    timeout_ms: 'timeout_ms' in value ? positiveInteger(value.timeout_ms, `${path}.timeout_ms`, problems) : inherited.timeout_ms,
    weighted: false,
  };
  const at = `${path}.${kind}`;
  switch (kind) {
    case 'target':
      return parseTargetNode(value.target, at, context, own, problems);
    case 'fallback': {
      const nodes = parseList(value.fallback, at, context, own, problems);
      const on = 'on' in value ? parseOn(value.on, `${path}.on`, problems) : [];
      return nodes && { kind: 'fallback', path, nodes, ...(on.length > 0 ? { on } : {}) };
    }
    case 'loadbalance':
      return parseLoadbalance(value.loadbalance, at, context, own, problems);
    case 'conditional':
      return parseConditional(value.conditional, at, context, own, problems);
    case 'split':
      return parseSplit(value.split, at, context, own, problems);
  }
}

function parseTargetNode(value: unknown, path: string, context: RouteContext, own: Inherited, problems: string[]): RouteNode | undefined {
  const target = typeof value === 'string' ? parseTarget(value) : undefined;
  if (!target) {
    problems.push(`${path}: expected <provider block>/<upstream model>, got ${JSON.stringify(value)}`);
    return undefined;
  }
  if (!context.hasProvider(target.provider)) {
    problems.push(`${path}: unknown provider block ${JSON.stringify(target.provider)}; configure it under providers`);
    return undefined;
  }
  const offered = context.targetCapabilities(target);
  const lacking = offered ? context.capabilities.filter((capability) => !offered.includes(capability)) : [];
  if (lacking.length > 0) problems.push(`${path}: ${value} does not offer ${lacking.join(', ')}, which the model declares`);
  return { kind: 'target', path: path.slice(0, -'.target'.length), target, key: value as string, retry: own.retry, ...(own.timeout_ms ? { timeout_ms: own.timeout_ms } : {}) };
}

function parseList(value: unknown, path: string, context: RouteContext, own: Inherited, problems: string[]): RouteNode[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`${path}: expected a list of at least one route node`);
    return undefined;
  }
  const nodes = value.map((item, index) => parseNode(item, `${path}.${index}`, context, own, problems));
  return nodes.every((node) => node !== undefined) ? (nodes as RouteNode[]) : undefined;
}

function parseLoadbalance(value: unknown, path: string, context: RouteContext, own: Inherited, problems: string[]): RouteNode | undefined {
  if (!isObject(value)) {
    problems.push(`${path}: expected { strategy, targets }`);
    return undefined;
  }
  for (const key of Object.keys(value)) if (key !== 'strategy' && key !== 'targets') problems.push(`${path}.${key}: unknown key`);
  const strategy = (value.strategy ?? 'weighted') as Strategy;
  if (!STRATEGIES.includes(strategy)) problems.push(`${path}.strategy: expected one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(value.strategy)}`);
  const members = value.targets;
  const nodes = parseList(members, `${path}.targets`, context, { ...own, weighted: true }, problems);
  if (!nodes) return undefined;
  const weights = (members as Record<string, unknown>[]).map((member, index) => {
    if (!('weight' in member)) return 1;
    const weight = member.weight;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 1_000_000) {
      problems.push(`${path}.targets.${index}.weight: expected a number from 0 to 1000000, got ${JSON.stringify(weight)}`);
      return 0;
    }
    return weight;
  });
  if (weights.every((weight) => weight === 0)) problems.push(`${path}.targets: every weight is 0; at least one must be above 0`);
  return { kind: 'loadbalance', path: path.slice(0, -'.loadbalance'.length), strategy, nodes, weights };
}

function parseSplit(value: unknown, path: string, context: RouteContext, own: Inherited, problems: string[]): RouteNode | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`${path}: expected a list of { percent, route }`);
    return undefined;
  }
  const nodes: RouteNode[] = [];
  const percents: number[] = [];
  value.forEach((branch: unknown, index) => {
    const at = `${path}.${index}`;
    if (!isObject(branch)) return problems.push(`${at}: expected { percent, route }`);
    for (const key of Object.keys(branch)) if (key !== 'percent' && key !== 'route') problems.push(`${at}.${key}: unknown key`);
    const percent = branch.percent;
    if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
      problems.push(`${at}.percent: expected a number from 0 to 100, got ${JSON.stringify(percent)}`);
    } else percents.push(percent);
    const node = parseNode(branch.route, `${at}.route`, context, own, problems);
    if (node) nodes.push(node);
  });
  const total = percents.reduce((sum, percent) => sum + percent, 0);
  if (percents.length === value.length && Math.abs(total - 100) > 1e-9) problems.push(`${path}: the percents add up to ${total}; they must add up to 100`);
  return { kind: 'split', path: path.slice(0, -'.split'.length), nodes, percents };
}

function parseConditional(value: unknown, path: string, context: RouteContext, own: Inherited, problems: string[]): RouteNode | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`${path}: expected a list of { when, route } ending with { default }`);
    return undefined;
  }
  const branches: { when: Condition; node: RouteNode }[] = [];
  let otherwise: RouteNode | undefined;
  value.forEach((branch: unknown, index) => {
    const at = `${path}.${index}`;
    if (!isObject(branch)) return problems.push(`${at}: expected { when, route } or { default }`);
    if ('default' in branch) {
      if (index !== value.length - 1) problems.push(`${at}: default must be the last branch`);
      for (const key of Object.keys(branch)) if (key !== 'default') problems.push(`${at}.${key}: unknown key`);
      otherwise = parseNode(branch.default, `${at}.default`, context, own, problems);
      return;
    }
    for (const key of Object.keys(branch)) if (key !== 'when' && key !== 'route') problems.push(`${at}.${key}: unknown key`);
    const when = parseCondition(branch.when, `${at}.when`, problems);
    const node = parseNode(branch.route, `${at}.route`, context, own, problems);
    if (when && node) branches.push({ when, node });
  });
  if (!('default' in (value[value.length - 1] ?? {}))) problems.push(`${path}: the last branch must be { default: <route> }, so that every request has a route`);
  return otherwise && { kind: 'conditional', path: path.slice(0, -'.conditional'.length), branches, otherwise };
}

const CONDITIONS = `metadata.<key>, key, team, ${SIZE_FACTS.join(', ')}, ${CONDITION_FLAGS.join(', ')}`;

function parseCondition(value: unknown, path: string, problems: string[]): Condition | undefined {
  if (!isObject(value) || Object.keys(value).length === 0) {
    problems.push(`${path}: expected at least one of ${CONDITIONS}`);
    return undefined;
  }
  const condition: Condition = { metadata: [], sizes: [] };
  for (const [key, expected] of Object.entries(value)) {
    if (key.startsWith('metadata.') && key.length > 'metadata.'.length) {
      const values = strings(expected, `${path}.${key}`, problems);
      if (values) condition.metadata.push([key.slice('metadata.'.length), values]);
    } else if (key === 'key' || key === 'team') {
      condition[key] = strings(expected, `${path}.${key}`, problems);
    } else if ((SIZE_FACTS as readonly string[]).includes(key)) {
      const range = parseRange(expected, `${path}.${key}`, problems);
      if (range) condition.sizes.push([key as SizeFact, range]);
    } else if ((CONDITION_FLAGS as readonly string[]).includes(key)) {
      if (typeof expected !== 'boolean') problems.push(`${path}.${key}: expected true or false`);
      else condition[key as (typeof CONDITION_FLAGS)[number]] = expected;
    } else {
      problems.push(`${path}.${key}: unknown condition; expected ${CONDITIONS}`);
    }
  }
  return condition;
}

function strings(value: unknown, path: string, problems: string[]): string[] | undefined {
  const values = Array.isArray(value) ? value : [value];
  if (values.length > 0 && values.every((item) => typeof item === 'string' && item.length > 0)) return values as string[];
  problems.push(`${path}: expected a string or a list of strings`);
  return undefined;
}

/** `{ min, max }`, either or both, inclusive. */
function parseRange(value: unknown, path: string, problems: string[]): [number, number] | undefined {
  if (!isObject(value) || Object.keys(value).length === 0) {
    problems.push(`${path}: expected { min, max }, either or both`);
    return undefined;
  }
  for (const key of Object.keys(value)) if (key !== 'min' && key !== 'max') problems.push(`${path}.${key}: unknown key`);
  const least = 'min' in value ? boundedInteger(value.min, `${path}.min`, 0, MAX_SIZE, problems) : 0;
  const most = 'max' in value ? boundedInteger(value.max, `${path}.max`, 0, MAX_SIZE, problems) : MAX_SIZE;
  if (least === undefined || most === undefined) return undefined;
  if (most < least) {
    problems.push(`${path}: max (${most}) is below min (${least})`);
    return undefined;
  }
  return [least, most];
}

function parseRetry(value: unknown, path: string, inherited: RetryPolicy, problems: string[]): RetryPolicy {
  if (!isObject(value)) {
    problems.push(`${path}: expected { attempts, backoff_ms, max_backoff_ms }`);
    return inherited;
  }
  for (const key of Object.keys(value)) if (!(key in DEFAULT_RETRY)) problems.push(`${path}.${key}: unknown key`);
  const retry = { ...inherited };
  if ('attempts' in value) retry.attempts = boundedInteger(value.attempts, `${path}.attempts`, 1, 10, problems) ?? retry.attempts;
  if ('backoff_ms' in value) retry.backoff_ms = boundedInteger(value.backoff_ms, `${path}.backoff_ms`, 0, 600_000, problems) ?? retry.backoff_ms;
  if ('max_backoff_ms' in value) retry.max_backoff_ms = boundedInteger(value.max_backoff_ms, `${path}.max_backoff_ms`, 0, 600_000, problems) ?? retry.max_backoff_ms;
  if (retry.max_backoff_ms < retry.backoff_ms) problems.push(`${path}: max_backoff_ms (${retry.max_backoff_ms}) is below backoff_ms (${retry.backoff_ms})`);
  return retry;
}

function parseOn(value: unknown, path: string, problems: string[]): string[] {
  const codes = Array.isArray(value) ? value : [value];
  const known = FALLBACK_ON_CODES as readonly unknown[];
  const unknown = codes.filter((code) => !known.includes(code));
  if (unknown.length > 0) problems.push(`${path}: expected codes from ${FALLBACK_ON_CODES.join(', ')}, got ${JSON.stringify(unknown)}`);
  return codes.filter((code) => known.includes(code));
}

function positiveInteger(value: unknown, path: string, problems: string[]): number | undefined {
  return boundedInteger(value, path, 1, 3_600_000, problems);
}

function boundedInteger(value: unknown, path: string, min: number, max: number, problems: string[]): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  problems.push(`${path}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
