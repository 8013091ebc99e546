// Model-based checks (`{ type: model, route: <model>, threshold, action }`): a configured chat model
// classifies the prompt. What to ask and what its answer means is decided here, purely; the call itself
// is the provider-worker's, which holds the provider adapters (and the deadline), before the main call.
import { GatewayError, type ChatRequest, type ChatResult, type GuardrailFinding, type RequestEvent } from '@switchyard/contracts';
import { blocked, type CompiledRule, type PolicyOf } from './policy';

export type ModelCheck = Extract<CompiledRule, { kind: 'model' }>;

/** The classifier's answer is a score, not prose: a few tokens are all it may spend. */
const CLASSIFIER_MAX_TOKENS = 8;

/** The input rules of kind model of each request's policy (its model's, its team's, its key's), in order. */
export function modelChecksOf(policyOf: PolicyOf): (request: RequestEvent) => ModelCheck[] {
  return (request) => {
    if (!request.chat) return [];
    return policyOf(request.chat.model, request).input.filter((rule): rule is ModelCheck => rule.kind === 'model');
  };
}

/** The prompt's text as the other input rules left it (masked), every message's, in order. */
function promptText(request: RequestEvent): string {
  const texts: string[] = [];
  for (const message of request.chat?.messages ?? []) {
    if (message.content) texts.push(message.content);
    for (const part of message.content_parts ?? []) if (part.text) texts.push(part.text);
  }
  return texts.join('\n\n');
}

/** The chat request that asks the classifier (its target's `upstream_model`) to score the prompt. */
export function classifierRequest(check: ModelCheck, request: RequestEvent, upstreamModel: string): ChatRequest {
  return {
    model: upstreamModel,
    messages: [
      { role: 'system', content: check.instructions },
      { role: 'user', content: promptText(request) },
    ],
    temperature: 0,
    max_tokens: CLASSIFIER_MAX_TOKENS,
  };
}

const SCORE = /^\s*(0(?:\.\d{1,6})?|1(?:\.0{1,6})?)(?![.\d])/;

/** The classifier's score: its answer must start with a number from 0 to 1. */
export function classifierScore(check: ModelCheck, answer: ChatResult): number {
  const text = answer.choices[0]?.message.content ?? '';
  const score = SCORE.exec(text);
  if (!score) throw new GatewayError('provider_bad_response', `its classifier ${check.route} did not answer with a score from 0 to 1`);
  return Number(score[1]);
}

/** The finding of a score at or over the threshold; a blocking rule's is thrown as guardrail_blocked. */
export function modelCheckVerdict(check: ModelCheck, score: number): GuardrailFinding | undefined {
  if (score < check.threshold) return undefined;
  if (check.action === 'block') throw blocked(check, 'model', 'input');
  return { rule: check.name, entity: 'model', action: check.action, direction: 'input', count: 1 };
}

