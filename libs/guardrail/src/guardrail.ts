// The guardrail stage: applies the configured rules to the prompt (chat messages, embedding inputs)
// and records what matched.
import { CONSUMER_GROUPS, GatewayError, TOPICS, parseRequestEvent, type ChatMessage, type GuardrailFinding, type RequestEvent } from '@switchyard/contracts';
import { failedCompletion, type Stage } from '@switchyard/pipeline';
import type { TextRule } from './rules';

export interface GuardrailOutcome {
  request: RequestEvent;
  findings: GuardrailFinding[];
}

export function applyRules(request: RequestEvent, rules: TextRule[]): GuardrailOutcome {
  const counts = new Map<string, number>();
  const rewrite = (text: string): string => {
    let out = text;
    for (const rule of rules) {
      const result = rule.apply(out);
      if (result.count > 0) counts.set(rule.name, (counts.get(rule.name) ?? 0) + result.count);
      out = result.text;
    }
    return out;
  };
  let rewritten: RequestEvent = request;
  if (request.chat) {
    const messages = request.chat.messages.map((message): ChatMessage => {
      const out: ChatMessage = { ...message };
      if (message.content) out.content = rewrite(message.content);
      if (message.content_parts?.length) {
        out.content_parts = message.content_parts.map((part) => (part.text ? { ...part, text: rewrite(part.text) } : part));
      }
      return out;
    });
    rewritten = { ...request, chat: { ...request.chat, messages } };
  } else if (request.embed) {
    rewritten = { ...request, embed: { ...request.embed, input: request.embed.input.map(rewrite) } };
  }
  const findings = rules
    .filter((rule) => counts.has(rule.name))
    .map((rule) => ({ rule: rule.name, action: rule.action, count: counts.get(rule.name)! }));
  return { request: { ...rewritten, guardrail: findings }, findings };
}

export function createGuardrailStage(rules: TextRule[], now: () => number = Date.now): Stage<RequestEvent> {
  return {
    name: 'guardrail',
    input: TOPICS.routed,
    group: CONSUMER_GROUPS.guardrail,
    parse: parseRequestEvent,
    maxInFlightBatches: 8,
    handle(request) {
      if (now() > request.deadline_at) {
        return [failedCompletion(request, new GatewayError('deadline_exceeded', 'the deadline passed before the guardrails ran'), 'guardrail')];
      }
      const { request: guarded, findings } = applyRules(request, rules);
      const blocked = findings.find((finding) => finding.action === 'block');
      if (blocked) {
        return [failedCompletion(guarded, new GatewayError('guardrail_blocked', `guardrail rule ${blocked.rule} refused the request`), 'guardrail')];
      }
      return [{ topic: TOPICS.guarded, key: request.request_id, value: guarded }];
    },
    onFailure: (request, error) => [failedCompletion(request, error, 'guardrail')],
  };
}
