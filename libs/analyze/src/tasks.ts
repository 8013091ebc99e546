// Each Analyze task as an ordinary chat request (a prompt template per task type), and the model's
// answer as the task's typed output. Pure: the gateway core sends the requests through the pipeline.
import { GatewayError, type ChatRequest, type ChatResponse, type ContentPart } from '@switchyard/contracts';
import { imagePart, type AnalyzeRequest, type AnalyzeTask, type AnalyzeTaskType } from './analyze-request';

/** The model of each task type when a task names none; the configuration's analyze.default_models replaces them. */
export const DEFAULT_ANALYZE_MODELS: Readonly<Record<AnalyzeTaskType, string>> = {
  answer: 'mock-echo',
  describe_image: 'mock-vision',
  sentiment: 'mock-sentiment',
  moderation: 'mock-moderation',
  summarize: 'mock-echo',
  translate: 'mock-echo',
  extract: 'mock-echo',
};

export const SENTIMENT_LABELS = ['positive', 'negative', 'neutral', 'mixed'] as const;
export type SentimentLabel = (typeof SENTIMENT_LABELS)[number];

/** The categories a moderation task checks: OpenAI's moderation categories, without their subcategories. */
export const MODERATION_CATEGORIES = ['harassment', 'hate', 'illicit', 'self_harm', 'sexual', 'violence'] as const;

export interface SentimentOutput {
  label: SentimentLabel;
  /** How sure the model is of the label, from 0 to 1. */
  score: number;
}

export interface ModerationOutput {
  flagged: boolean;
  /** The categories that apply, of MODERATION_CATEGORIES. */
  categories: string[];
}

/** The model a task runs on: its own, else its type's default. */
export function taskModel(task: AnalyzeTask, defaults: Readonly<Record<AnalyzeTaskType, string>>): string {
  return task.model || defaults[task.type];
}

const SYSTEM_PROMPTS: Record<Exclude<AnalyzeTaskType, 'answer' | 'describe_image' | 'translate'>, string> = {
  sentiment:
    'Classify the sentiment of the user\'s text. Answer with JSON only: {"label": "positive" | "negative" | "neutral" | "mixed", "score": <your confidence in the label, from 0 to 1>}.',
  moderation: `Check the user's text against these categories: ${MODERATION_CATEGORIES.join(', ')}. Answer with JSON only: {"flagged": <true if any category applies>, "categories": [<the categories that apply>]}.`,
  summarize: 'Summarize the user\'s text in a few sentences, in the language it is written in. Answer with the summary only.',
  extract: 'Extract from the user\'s text the data that the response\'s JSON Schema describes. Answer with JSON only; leave out what the text does not say.',
};

/**
 * The chat request a task sends. `vision`: whether the task's model takes images; an answer task
 * sends the images only to such a model (describe_image always does: it exists to read them).
 */
export function taskChatRequest(request: AnalyzeRequest, task: AnalyzeTask, model: string, vision: boolean): ChatRequest {
  const text = request.text ?? '';
  const images = (): ContentPart[] => (request.images ?? []).map((image, index) => imagePart(image, `images[${index}]`));
  const chat = (messages: ChatRequest['messages'], extra: Partial<ChatRequest> = {}): ChatRequest => ({
    model,
    messages,
    ...extra,
    ...(request.user ? { user: request.user } : {}),
    ...(request.metadata ? { metadata: request.metadata } : {}),
  });
  switch (task.type) {
    case 'answer':
      return vision && request.images?.length ? chat([{ role: 'user', content_parts: [...(text ? [{ text }] : []), ...images()] }]) : chat([{ role: 'user', content: text }]);
    case 'describe_image': {
      const count = request.images!.length;
      const ask = count === 1 ? 'Describe this image.' : `Describe each of these ${count} images, one paragraph each, in order.`;
      return chat([{ role: 'user', content_parts: [{ text: ask }, ...images()] }]);
    }
    case 'translate':
      return chat([
        { role: 'system', content: `Translate the user's text into ${task.target_language}. Answer with the translation only.` },
        { role: 'user', content: text },
      ]);
    case 'extract':
      return chat([{ role: 'system', content: SYSTEM_PROMPTS.extract }, { role: 'user', content: text }], {
        temperature: 0,
        response_format: { type: 'json_schema', json_schema_name: 'extraction', json_schema: task.schema },
      });
    case 'sentiment':
    case 'moderation':
      return chat([{ role: 'system', content: SYSTEM_PROMPTS[task.type] }, { role: 'user', content: text }], { temperature: 0, response_format: { type: 'json_object' } });
    case 'summarize':
      return chat([{ role: 'system', content: SYSTEM_PROMPTS.summarize }, { role: 'user', content: text }]);
  }
}

/**
 * The task's output from its model's answer: the text, or the JSON the task asked for, checked. An
 * answer that is not what was asked is provider_bad_response, naming what is wrong.
 */
export function taskOutput(type: AnalyzeTaskType, response: ChatResponse): unknown {
  const text = response.choices[0]?.message.content ?? '';
  switch (type) {
    case 'sentiment':
      return sentimentOf(jsonAnswer(text, type));
    case 'moderation':
      return moderationOf(jsonAnswer(text, type));
    case 'extract':
      return jsonAnswer(text, type);
    default:
      return text;
  }
}

function sentimentOf(answer: Record<string, unknown>): SentimentOutput {
  const label = typeof answer.label === 'string' ? answer.label.toLowerCase() : answer.label;
  if (!SENTIMENT_LABELS.includes(label as SentimentLabel)) throw badAnswer('sentiment', `its label is ${JSON.stringify(answer.label)}, not one of ${SENTIMENT_LABELS.join(', ')}`);
  if (typeof answer.score !== 'number' || !(answer.score >= 0 && answer.score <= 1)) throw badAnswer('sentiment', `its score is ${JSON.stringify(answer.score)}, not a number from 0 to 1`);
  return { label: label as SentimentLabel, score: answer.score };
}

function moderationOf(answer: Record<string, unknown>): ModerationOutput {
  if (typeof answer.flagged !== 'boolean') throw badAnswer('moderation', `its flagged is ${JSON.stringify(answer.flagged)}, not true or false`);
  const categories = answer.categories ?? [];
  if (!Array.isArray(categories) || !categories.every((category) => typeof category === 'string')) throw badAnswer('moderation', 'its categories are not a list of names');
  return { flagged: answer.flagged, categories };
}

// Models asked for JSON often wrap it in a Markdown code fence all the same.
const FENCED = /^```(?:json)?\s*([\s\S]*?)\s*```$/;

function jsonAnswer(text: string, type: AnalyzeTaskType): Record<string, unknown> {
  const trimmed = text.trim();
  const body = FENCED.exec(trimmed)?.[1] ?? trimmed;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw badAnswer(type, `it is not JSON: ${JSON.stringify(trimmed.slice(0, 80))}${trimmed.length > 80 ? '...' : ''}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badAnswer(type, 'it is not a JSON object');
  return parsed as Record<string, unknown>;
}

function badAnswer(type: AnalyzeTaskType, problem: string): GatewayError {
  return new GatewayError('provider_bad_response', `the model's answer to the ${type} task is not what the task asked for: ${problem}`);
}
