// Output guardrails: the answer, its tool-call arguments, and streamed pieces of both. A stream is
// held back by a window, so that a value split across pieces is found whole before any of it is sent:
// the last HOLD_CHARS characters, the word the text ends in (an address or a key is one word, whatever
// its length, up to MAX_HELD_CHARS), an unterminated private key block, and any value found that
// reaches into them, wait for the next piece. Text is looked at once twice the window has gathered,
// rather than at every piece, which scans each character about twice instead of once per piece.
import type { ChatResult, GuardrailFinding, RequestEvent, ToolCallDelta } from '@switchyard/contracts';
import { Findings, Placeholders, findSpans, guardText, render, type Found, type Policy, type PolicyOf } from './policy';
import { openPrivateKeyAt } from './secrets';

/** Longer than the longest value with spaces in it that a rule finds: an IBAN in groups, a phone number, a denied phrase. */
export const HOLD_CHARS = 64;
/** The most held back for one word or key block: beyond it the text is released, masked as far as it is found. */
export const MAX_HELD_CHARS = 8192;

/** A streamed piece as the provider-worker sees it: its choice, text, and tool-call fragments. */
export interface StreamPiece {
  index: number;
  content?: string;
  tool_calls?: ToolCallDelta[];
}

export interface OutputGuard {
  /** The piece with what may be sent of it now; throws guardrail_blocked when a blocking rule matched. */
  push<P extends StreamPiece>(piece: P): P;
  /** What was still held back, once the stream has ended. */
  end(): StreamPiece[];
  /** A whole answer (not streamed) through the output rules. */
  result(chat: ChatResult): ChatResult;
  findings(): GuardrailFinding[];
}

const TRAILING_WORD = /\S{1,8192}$/;

/** One stream of text (a choice's content, or one tool call's arguments) with its held-back tail. */
class HeldText {
  private pending = '';

  constructor(private readonly guard: GuardState) {}

  push(piece: string): string {
    this.pending = this.guard.restore(this.pending + piece);
    if (this.pending.length < 2 * HOLD_CHARS) return '';
    const spans = this.guard.spans(this.pending);
    let cut = this.pending.length - HOLD_CHARS;
    const word = TRAILING_WORD.exec(this.pending);
    if (word) cut = Math.min(cut, word.index);
    const key = openPrivateKeyAt(this.pending);
    if (key !== undefined) cut = Math.min(cut, key);
    if (this.pending.length - cut > MAX_HELD_CHARS) cut = this.pending.length - HOLD_CHARS;
    for (const span of spans) if (span.start < cut && span.end > cut) cut = span.start;
    if (cut <= 0) return '';
    const released = this.guard.render(this.pending.slice(0, cut), spans.filter((span) => span.end <= cut));
    this.pending = this.pending.slice(cut);
    return released;
  }

  end(): string {
    const rest = this.pending;
    this.pending = '';
    return rest ? this.guard.render(rest, this.guard.spans(rest)) : '';
  }
}

/** The output rules of one request, its placeholders (the prompt's too, when reversible) and findings. */
class GuardState {
  readonly findings = new Findings();
  private readonly restoring: boolean;

  constructor(
    readonly policy: Policy,
    readonly placeholders: Placeholders,
  ) {
    this.restoring = policy.reversible && placeholders.size > 0;
  }

  spans(text: string): Found[] {
    return findSpans(text, this.policy.output, 'output');
  }

  render(text: string, spans: Found[]): string {
    return render(text, spans, this.placeholders, this.findings, 'output');
  }

  text(text: string): string {
    return guardText(this.restore(text), this.policy.output, this.placeholders, this.findings, 'output');
  }

  /**
   * The prompt's placeholders the model repeated, put back. In a stream only whole ones are: a piece
   * that ends inside one ends inside its last word, which is held back until the next piece.
   */
  restore(text: string): string {
    return this.restoring ? this.placeholders.restore(text) : text;
  }
}

/**
 * The output guard of one request, or undefined when its policy has nothing to do on the answer.
 * `placeholders` are the prompt's (from the guardrail stage), which the answer's masking continues.
 */
export function createOutputGuard(policy: Policy, placeholders: Record<string, string> = {}): OutputGuard | undefined {
  const restoring = policy.reversible && Object.keys(placeholders).length > 0;
  if (policy.output.length === 0 && !restoring) return undefined;
  const state = new GuardState(policy, new Placeholders(placeholders));
  const streams = new Map<string, HeldText>();
  const held = (key: string) => {
    let text = streams.get(key);
    if (!text) streams.set(key, (text = new HeldText(state)));
    return text;
  };
  return {
    push(piece) {
      const out = { ...piece };
      if (piece.content) {
        const released = held(`${piece.index}`).push(piece.content);
        if (released) out.content = released;
        else delete out.content;
      }
      if (piece.tool_calls) {
        out.tool_calls = piece.tool_calls.map((call) => {
          if (!call.function?.arguments) return call;
          return { ...call, function: { ...call.function, arguments: held(`${piece.index} ${call.index}`).push(call.function.arguments) } };
        });
      }
      return out;
    },
    end() {
      const pieces: StreamPiece[] = [];
      for (const [key, text] of streams) {
        const rest = text.end();
        if (!rest) continue;
        const [index, call] = key.split(' ').map(Number);
        pieces.push(call === undefined ? { index, content: rest } : { index, tool_calls: [{ index: call, function: { arguments: rest } }] });
      }
      return pieces;
    },
    result(chat) {
      return {
        ...chat,
        choices: chat.choices.map((choice) => ({
          ...choice,
          message: {
            ...choice.message,
            ...(choice.message.content ? { content: state.text(choice.message.content) } : {}),
            ...(choice.message.tool_calls
              ? { tool_calls: choice.message.tool_calls.map((call) => ({ ...call, function: { ...call.function, arguments: state.text(call.function.arguments) } })) }
              : {}),
          },
        })),
      };
    },
    findings: () => state.findings.list(),
  };
}

/** The provider-worker's output guard of each request, by its policy (its model's, its team's and its key's). */
export function outputGuards(policyOf: PolicyOf): (request: RequestEvent) => OutputGuard | undefined {
  return (request) => (request.chat ? createOutputGuard(policyOf(request.chat.model, request), request.guardrail_placeholders) : undefined);
}

/** The team and key layers that changed a request's output rules (Policy.outputLayers), for the response cache's key. */
export function outputLayersOf(policyOf: PolicyOf): (request: RequestEvent) => string | undefined {
  return (request) => (request.chat ? policyOf(request.chat.model, request).outputLayers : undefined);
}
