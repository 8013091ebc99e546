// The guardrail stage: applies the request's input rules (its model's, its team's and its key's) to the
// prompt (message text and text parts, tool-call arguments, tool results, embedding and moderation inputs, rerank queries and documents, image and transcription prompts), and records
// what they found. The answer's rules run where the answer is produced, in the provider-worker
// (libs/guardrail-rules/src/output.ts).
import { CONSUMER_GROUPS, GatewayError, TOPICS, parseRequestEvent, requestedModel, type ChatMessage, type GuardrailFinding, type RequestEvent } from '@switchyard/contracts';
import { Findings, GuardrailBlocked, Placeholders, checkPromptSize, guardText, type Policy, type PolicyOf } from '@switchyard/guardrail-rules';
import { failedCompletion, type Stage } from '@switchyard/pipeline';

export interface GuardrailOutcome {
  request: RequestEvent;
  findings: GuardrailFinding[];
}

/** The request with its prompt through the input rules; throws guardrail_blocked when a blocking rule matched. */
export function applyInputRules(request: RequestEvent, policy: Policy): GuardrailOutcome {
  const rules = policy.input;
  if (rules.length === 0) return { request, findings: [] };
  const placeholders = new Placeholders();
  const findings = new Findings();
  const texts: string[] = [];
  const guard = (text: string): string => {
    texts.push(text);
    return guardText(text, rules, placeholders, findings, 'input');
  };
  let guarded: RequestEvent = request;
  if (request.chat) {
    const messages = request.chat.messages.map((message): ChatMessage => {
      const out: ChatMessage = { ...message };
      if (message.content) out.content = guard(message.content);
      if (message.content_parts?.length) {
        out.content_parts = message.content_parts.map((part) => (part.text ? { ...part, text: guard(part.text) } : part));
      }
      if (message.tool_calls?.length) {
        out.tool_calls = message.tool_calls.map((call) => ({ ...call, function: { ...call.function, arguments: guard(call.function.arguments) } }));
      }
      return out;
    });
    guarded = { ...request, chat: { ...request.chat, messages } };
  } else if (request.embed) {
    guarded = { ...request, embed: { ...request.embed, input: request.embed.input.map(guard) } };
  } else if (request.moderation) {
    guarded = { ...request, moderation: { ...request.moderation, input: request.moderation.input.map(guard) } };
  } else if (request.image_generation) {
    guarded = { ...request, image_generation: { ...request.image_generation, prompt: guard(request.image_generation.prompt) } };
  } else if (request.transcription?.prompt) {
    guarded = { ...request, transcription: { ...request.transcription, prompt: guard(request.transcription.prompt) } };
  } else if (request.rerank) {
    guarded = { ...request, rerank: { ...request.rerank, query: guard(request.rerank.query), documents: request.rerank.documents.map(guard) } };
  }
  checkPromptSize(texts, rules, findings);
  const found = findings.list();
  guarded = { ...guarded, guardrail: found };
  if (policy.reversible && placeholders.size > 0) guarded.guardrail_placeholders = placeholders.originals;
  return { request: guarded, findings: found };
}

export function createGuardrailStage(policyOf: PolicyOf, now: () => number = Date.now): Stage<RequestEvent> {
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
      try {
        const { request: guarded } = applyInputRules(request, policyOf(requestedModel(request), request));
        return [{ topic: TOPICS.guarded, key: request.request_id, value: guarded }];
      } catch (error) {
        if (!(error instanceof GuardrailBlocked)) throw error;
        return [failedCompletion({ ...request, guardrail: [error.finding] }, error, 'guardrail')];
      }
    },
    onFailure: (request, error) => [failedCompletion(request, error, 'guardrail')],
  };
}
