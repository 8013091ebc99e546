// The planner: for one request, the targets to try and in which order. Pure: the request's facts, each
// target's health and load, and a random source go in; the same inputs give the same plan.
import type { Condition, RouteNode, TargetNode } from './route';

/** What a conditional branch can match on. */
export interface RequestFacts {
  metadata: Record<string, string> | undefined;
  api_key_id: string;
  /** The caller's virtual key's name and team, when it has them. */
  key_name?: string;
  team?: string;
  /** Messages of a chat, inputs of an embedding. */
  messages?: number;
  tools: boolean;
  images: boolean;
  stream: boolean;
  /** Estimated tokens, for least_cost and size conditions; absent: priced by input and output price alike. */
  prompt_tokens?: number;
  completion_tokens?: number;
}

/** open: its breaker is open and it gets no call; probe: its breaker lets one call through to test it. */
export type TargetHealth = 'closed' | 'open' | 'probe';

export interface TargetStats {
  health: TargetHealth;
  /** While open: until when (epoch milliseconds). */
  open_until?: number;
  /** Calls in flight to the target. */
  in_flight: number;
  /** Recent provider latency, a moving average; absent before the first answer. */
  latency_ms?: number;
  /** Price per million tokens; absent when the price table does not know the target. */
  price?: { input_per_mtok: number; output_per_mtok: number };
}

export interface PlanInputs {
  facts: RequestFacts;
  stats(target: TargetNode): TargetStats;
  /** A number in [0, 1), as Math.random gives. */
  random(): number;
  /** See BreakerSettings.max_ejection_percent; absent: 100. */
  max_ejection_percent?: number;
}

/** One target of a plan, with what its nearest fallback adds to the failures that move the plan on. */
export interface Attempt {
  node: TargetNode;
  on: readonly string[];
}

const NONE: readonly string[] = [];

/**
 * The targets to try, in order. Targets whose breaker is open are left out, but never more of them than
 * max_ejection_percent of the plan's targets allows (at least one, never all): the breaker cannot
 * empty a route. Beyond the cap, those that reopen soonest stay in, in their place.
 */
export function plan(tree: RouteNode, inputs: PlanInputs): Attempt[] {
  const attempts = walk(tree, inputs, NONE);
  let open: { attempt: Attempt; until: number }[] | undefined;
  for (const attempt of attempts) {
    const stats = inputs.stats(attempt.node);
    if (stats.health === 'open') (open ??= []).push({ attempt, until: stats.open_until ?? 0 });
  }
  if (!open) return attempts;
  const cap = attempts.length < 2 ? 0 : Math.min(attempts.length - 1, Math.max(1, Math.floor((attempts.length * (inputs.max_ejection_percent ?? 100)) / 100)));
  const skipped = new Set(open.sort((a, b) => b.until - a.until).slice(0, cap).map(({ attempt }) => attempt));
  return attempts.filter((attempt) => !skipped.has(attempt));
}

function walk(node: RouteNode, inputs: PlanInputs, on: readonly string[]): Attempt[] {
  switch (node.kind) {
    case 'target':
      return [{ node, on }];
    case 'fallback': {
      const inner = node.on ? [...on, ...node.on] : on;
      return node.nodes.flatMap((child) => walk(child, inputs, inner));
    }
    case 'split':
      return walk(node.nodes[pick(node.percents, inputs.random())], inputs, on);
    case 'conditional': {
      const branch = node.branches.find((candidate) => matches(candidate.when, inputs.facts));
      return walk(branch ? branch.node : node.otherwise, inputs, on);
    }
    case 'loadbalance': {
      const members = node.nodes.map((child) => walk(child, inputs, on));
      return order(node.strategy, members, node.weights, inputs).flat();
    }
  }
}

/** The members of a loadbalance, the chosen one first and the others after it as its fallbacks. */
function order(strategy: string, members: Attempt[][], weights: number[], inputs: PlanInputs): Attempt[][] {
  if (members.length === 1) return members;
  if (strategy === 'weighted') {
    const left = members.slice();
    const leftWeights = weights.slice();
    const ordered: Attempt[][] = [];
    while (left.length > 0) {
      const index = pick(leftWeights, inputs.random());
      ordered.push(left[index]);
      left.splice(index, 1);
      leftWeights.splice(index, 1);
    }
    return ordered;
  }
  const score = (member: Attempt[]): number => {
    const stats = inputs.stats(member[0].node);
    if (strategy === 'least_busy') return stats.in_flight;
    if (strategy === 'least_latency') return stats.latency_ms ?? 0;
    if (!stats.price) return Number.POSITIVE_INFINITY;
    const { prompt_tokens = 1, completion_tokens = 1 } = inputs.facts;
    return stats.price.input_per_mtok * prompt_tokens + stats.price.output_per_mtok * completion_tokens;
  };
  // Stable: members that score alike keep the order of the file.
  return members
    .map((member, index) => ({ member, index, score: score(member) }))
    .sort((a, b) => a.score - b.score || a.index - b.index)
    .map(({ member }) => member);
}

/** The index a draw in [0, 1) lands on, each index as likely as its share of the total. */
export function pick(shares: number[], draw: number): number {
  let total = 0;
  for (const share of shares) total += share;
  let point = draw * total;
  for (let index = 0; index < shares.length; index++) {
    point -= shares[index];
    if (point < 0 && shares[index] > 0) return index;
  }
  // Only rounding can get here: the last index with a share.
  for (let index = shares.length - 1; index > 0; index--) if (shares[index] > 0) return index;
  return 0;
}

function matches(when: Condition, facts: RequestFacts): boolean {
  if (when.tools !== undefined && when.tools !== facts.tools) return false;
  if (when.images !== undefined && when.images !== facts.images) return false;
  if (when.stream !== undefined && when.stream !== facts.stream) return false;
  if (when.key && !when.key.includes(facts.api_key_id) && !(facts.key_name !== undefined && when.key.includes(facts.key_name))) return false;
  if (when.team && !(facts.team !== undefined && when.team.includes(facts.team))) return false;
  for (const [fact, [least, most]] of when.sizes) {
    const value = facts[fact] ?? 0;
    if (value < least || value > most) return false;
  }
  for (const [key, values] of when.metadata) {
    const value = facts.metadata?.[key];
    if (value === undefined || !values.includes(value)) return false;
  }
  return true;
}
