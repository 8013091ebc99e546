// `npx tsx bench/src/plan-cost.ts`: the CPU of the routing decision alone, what a routed model's request
// costs the provider-worker over a one-target model's (which skips the planner): plan() over the bench's
// two routed models' trees (bench/src/systems.ts), as the worker calls it, timed over many calls in one
// process. A figure that the machine's load barely moves, beside profile.ts's alternating runs, whose
// spread on a shared machine is wider than the difference they look for.
import { parseRoute, plan, type RouteNode, type TargetNode, type TargetStats } from '@switchyard/routing';

const CALLS = 1_000_000;
const ROUNDS = 5;

const context = { hasProvider: () => true, capabilities: ['chat', 'streaming'], targetCapabilities: () => undefined };
const trees: Record<string, RouteNode> = {
  'bench-loadbalance': parseRoute({ loadbalance: { targets: [{ target: 'bench-upstream/gpt-bench', weight: 3 }, { target: 'bench-upstream/gpt-bench-b', weight: 1 }] } }, 'loadbalance', context),
  'bench-fallback': parseRoute({ fallback: [{ target: 'bench-down/gpt-bench' }, { target: 'bench-upstream/gpt-bench' }] }, 'fallback', context),
};
// As the worker keeps them: a Map of the targets whose breaker is not closed; the one down is open.
const breakers = new Map<string, 'open'>([['bench-down/gpt-bench', 'open']]);
const inFlight = new Map<string, number>();
const stats = (node: TargetNode): TargetStats => ({ health: breakers.get(node.key) ?? 'closed', in_flight: inFlight.get(node.key) ?? 0 });
const facts = { metadata: undefined, api_key_id: '', tools: false, images: false, stream: false };

for (const [model, tree] of Object.entries(trees)) {
  const perCallUs: number[] = [];
  let chosen = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.cpuUsage();
    for (let call = 0; call < CALLS; call++) chosen += plan(tree, { facts, stats, random: Math.random }).length;
    const used = process.cpuUsage(started);
    perCallUs.push((used.user + used.system) / CALLS);
  }
  perCallUs.sort((a, b) => a - b);
  console.log(`${model}: plan() ${perCallUs[Math.floor(ROUNDS / 2)].toFixed(3)} µs of CPU a call (median of ${ROUNDS} rounds of ${CALLS}; ${perCallUs[0].toFixed(3)}-${perCallUs[ROUNDS - 1].toFixed(3)}); ${(chosen / (CALLS * ROUNDS)).toFixed(2)} targets a plan`);
}
