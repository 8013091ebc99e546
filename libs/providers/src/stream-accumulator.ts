import type { ChatResult, Choice, ToolCall, Usage } from '@switchyard/contracts';
import type { ChatStreamEvent } from './provider';

/**
 * Reassembles streamed events into the completion they add up to: text concatenated, tool-call
 * fragments joined by index, the finish reason and usage kept from wherever they arrived.
 */
export class StreamAccumulator {
  private readonly choices = new Map<number, { role: string; content: string; toolCalls: Map<number, ToolCall>; finish?: string }>();
  private usage?: Usage;
  private responseId?: string;

  add(event: ChatStreamEvent): void {
    if (event.provider_response_id) this.responseId = event.provider_response_id;
    if (event.usage) this.usage = event.usage;
    let choice = this.choices.get(event.index);
    if (!choice) this.choices.set(event.index, (choice = { role: 'assistant', content: '', toolCalls: new Map() }));
    if (event.role) choice.role = event.role;
    if (event.content) choice.content += event.content;
    if (event.finish_reason) choice.finish = event.finish_reason;
    for (const fragment of event.tool_calls ?? []) {
      let call = choice.toolCalls.get(fragment.index);
      if (!call) choice.toolCalls.set(fragment.index, (call = { id: '', type: 'function', function: { name: '', arguments: '' } }));
      if (fragment.id) call.id = fragment.id;
      if (fragment.type) call.type = fragment.type;
      if (fragment.function?.name) call.function.name += fragment.function.name;
      if (fragment.function?.arguments) call.function.arguments += fragment.function.arguments;
    }
  }

  result(): ChatResult {
    const choices: Choice[] = [...this.choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, choice]) => {
        const toolCalls = [...choice.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
        return {
          index,
          message: { role: choice.role, content: choice.content, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
          finish_reason: choice.finish ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
        };
      });
    if (choices.length === 0) choices.push({ index: 0, message: { role: 'assistant', content: '' }, finish_reason: 'stop' });
    const result: ChatResult = { choices };
    if (this.usage) result.usage = this.usage;
    if (this.responseId) result.provider_response_id = this.responseId;
    return result;
  }
}
