// Route trees: how a model callers name is served by one or more targets (a provider block and its
// own model name). Parsed once at load; the planner walks them for every request.

export const STRATEGIES = ['weighted', 'least_latency', 'least_cost', 'least_busy'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** A provider block and the provider's own model name: what one call goes to. */
export interface Target {
  provider: string;
  upstream_model: string;
}

/** How often one target is tried before the plan moves on, and how long it waits between tries. */
export interface RetryPolicy {
  /** Tries of the target, the first included. */
  attempts: number;
  /** The first backoff's ceiling; each retry doubles it, up to max_backoff_ms (full jitter below it). */
  backoff_ms: number;
  max_backoff_ms: number;
}

/** A failure a plan moves on from or retries: a provider that may answer on another try or elsewhere. */
export const RETRYABLE_CODES = ['provider_rate_limited', 'provider_unavailable', 'provider_timeout', 'provider_bad_response'] as const;

export const DEFAULT_RETRY: RetryPolicy = { attempts: 1, backoff_ms: 200, max_backoff_ms: 5000 };

/** What a conditional branch matches; every key given must match. */
export interface Condition {
  /** metadata keys and the values they must have (any of the listed ones). */
  metadata: [key: string, values: string[]][];
  tools?: boolean;
  images?: boolean;
  stream?: boolean;
  /** The caller's key: its api_key_id or its name (any of the listed ones). */
  key?: string[];
  /** The team of the caller's key (any of the listed ones). */
  team?: string[];
  /** The request's size: each fact's least and most, inclusive. */
  sizes: [fact: SizeFact, range: [least: number, most: number]][];
}

/** What a request's size is measured in: its estimated prompt tokens, or its messages (inputs, for embeddings). */
export type SizeFact = 'prompt_tokens' | 'messages';

interface NodeBase {
  /** Where the node sits in the configuration file, e.g. models.0.route.fallback.1. */
  path: string;
}

export interface TargetNode extends NodeBase {
  kind: 'target';
  target: Target;
  /** provider/upstream_model, as written. */
  key: string;
  retry: RetryPolicy;
  /** Each try's own limit, within the caller's deadline; absent: the caller's deadline alone. */
  timeout_ms?: number;
}

export interface FallbackNode extends NodeBase {
  kind: 'fallback';
  nodes: RouteNode[];
  /** Provider errors, beyond the retryable ones, on which the fallback moves to its next node. */
  on?: string[];
}

export interface LoadbalanceNode extends NodeBase {
  kind: 'loadbalance';
  strategy: Strategy;
  nodes: RouteNode[];
  weights: number[];
}

export interface ConditionalNode extends NodeBase {
  kind: 'conditional';
  branches: { when: Condition; node: RouteNode }[];
  otherwise: RouteNode;
}

export interface SplitNode extends NodeBase {
  kind: 'split';
  nodes: RouteNode[];
  /** Each branch's share, summing to 100. */
  percents: number[];
}

export type RouteNode = TargetNode | FallbackNode | LoadbalanceNode | ConditionalNode | SplitNode;

/** The targets a tree may call, each once, in the order the file lists them. */
export function targetsOf(node: RouteNode): TargetNode[] {
  const found = new Map<string, TargetNode>();
  const visit = (current: RouteNode): void => {
    switch (current.kind) {
      case 'target':
        if (!found.has(current.key)) found.set(current.key, current);
        return;
      case 'conditional':
        current.branches.forEach((branch) => visit(branch.node));
        visit(current.otherwise);
        return;
      default:
        current.nodes.forEach(visit);
    }
  };
  visit(node);
  return [...found.values()];
}
