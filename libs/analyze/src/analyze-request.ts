// The Analyze call in the unified model: one text and its images, and the tasks to run on them. These
// types mirror AnalyzeRequest and AnalyzeResponse in proto/aigateway/v1/gateway.proto; every front door
// decodes its wire format into them and validates them here, once, the same way (docs/analyze.md).
import {
  IMAGE_MIME_TYPES,
  InvalidFieldError,
  LIMITS,
  arrayAt,
  checkImageUrl,
  checkJsonText,
  checkMetadata,
  checkOneOf,
  checkString,
  objectAt,
  type ContentPart,
  type GatewayErrorBody,
  type Usage,
} from '@switchyard/contracts';

export const ANALYZE_TASK_TYPES = ['answer', 'describe_image', 'sentiment', 'moderation', 'summarize', 'translate', 'extract'] as const;
export type AnalyzeTaskType = (typeof ANALYZE_TASK_TYPES)[number];

/** The bounds of an Analyze call (docs/analyze.md); each task is a chat request, held to LIMITS besides. */
export const ANALYZE_LIMITS = {
  /** Each task is a request of its own through the pipeline. */
  tasks: 16,
  images: 8,
  /** Decoded bytes of one data: URL image. */
  imageBytes: 4 * 1024 * 1024,
  /** The text every task reads. */
  textChars: 200_000,
  /** translate's language, e.g. "French" or "pt-BR". */
  targetLanguageChars: 64,
} as const;

export interface AnalyzeTask {
  type: AnalyzeTaskType;
  /** A model by the name callers use (a routed model included); absent: the configured default for the type. */
  model?: string;
  /** translate: the language to translate into. */
  target_language?: string;
  /** extract: the JSON Schema to fill, as JSON text. */
  schema?: string;
}

export interface AnalyzeRequest {
  text?: string;
  /** https URLs or base64 data: URLs (image/png, image/jpeg, image/gif, image/webp). */
  images?: string[];
  tasks: AnalyzeTask[];
  user?: string;
  /** Recorded on every task's usage row. */
  metadata?: Record<string, string>;
}

export type AnalyzeStatus = 'ok' | 'error';

export interface AnalyzeTaskResult {
  /** The task's place in the request's list. */
  index: number;
  type: AnalyzeTaskType;
  status: AnalyzeStatus;
  /** The model the task asked for (or its type's default). */
  model: string;
  /** The task's own request id: the key of its usage row. */
  request_id: string;
  /** The typed answer (ok): text, or for sentiment, moderation and extract an object. */
  output?: unknown;
  error?: GatewayErrorBody;
  usage: Usage;
  cost_usd: number;
  latency_ms: number;
}

export interface AnalyzeResponse {
  /** The Analyze call's id: every task's usage row carries it as analyze_id. */
  id: string;
  /** In the order of the request's tasks. */
  results: AnalyzeTaskResult[];
  /** The tasks' usage, summed. */
  usage: Usage;
  cost_usd: number;
  latency_ms: number;
}

/** Every field of an Analyze request checked against ANALYZE_LIMITS and LIMITS; an InvalidFieldError names the first problem. */
export function validateAnalyzeRequest(request: AnalyzeRequest): void {
  const fields = objectAt(request, '(body)');
  const tasks = arrayAt(fields.tasks, 'tasks', ANALYZE_LIMITS.tasks);
  if (tasks.length === 0) throw new InvalidFieldError('tasks', 'must contain at least one task');
  if (fields.text !== undefined) checkString(fields.text, 'text', { max: ANALYZE_LIMITS.textChars, text: true });
  const images = fields.images === undefined ? [] : arrayAt(fields.images, 'images', ANALYZE_LIMITS.images);
  images.forEach((image, index) => imagePart(image, `images[${index}]`));
  const hasText = typeof fields.text === 'string' && fields.text.trim().length > 0;
  tasks.forEach((value, index) => checkTask(value, `tasks[${index}]`, hasText, images.length > 0));
  if (fields.user !== undefined && fields.user !== '') checkString(fields.user, 'user', { max: LIMITS.userChars });
  if (fields.metadata !== undefined) checkMetadata(fields.metadata);
}

function checkTask(value: unknown, path: string, hasText: boolean, hasImages: boolean): void {
  const task = objectAt(value, path);
  checkOneOf(task.type, `${path}.type`, ANALYZE_TASK_TYPES);
  if (task.model !== undefined && task.model !== '') checkString(task.model, `${path}.model`, { max: LIMITS.modelChars });
  if (task.type === 'describe_image') {
    if (!hasImages) throw new InvalidFieldError(`${path}.type`, 'is describe_image, but the request has no images');
  } else if (task.type !== 'answer' && !hasText) {
    throw new InvalidFieldError(`${path}.type`, `is ${task.type}, which reads the text, but the request has no text`);
  } else if (!hasText && !hasImages) {
    throw new InvalidFieldError(`${path}.type`, 'is answer, but the request has neither text nor images');
  }
  if (task.type === 'translate') {
    if (task.target_language === undefined || task.target_language === '') throw new InvalidFieldError(`${path}.target_language`, 'is required for translate');
    checkString(task.target_language, `${path}.target_language`, { max: ANALYZE_LIMITS.targetLanguageChars });
  } else if (task.target_language !== undefined && task.target_language !== '') {
    throw new InvalidFieldError(`${path}.target_language`, 'is only for translate');
  }
  if (task.type === 'extract') {
    if (task.schema === undefined || task.schema === '') throw new InvalidFieldError(`${path}.schema`, 'is required for extract: the JSON Schema to fill');
    checkJsonText(task.schema, `${path}.schema`);
  } else if (task.schema !== undefined && task.schema !== '') {
    throw new InvalidFieldError(`${path}.schema`, 'is only for extract');
  }
}

// A data: URL's media type and its base64 payload; whitespace in the payload is tolerated, as browsers do.
const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+);base64,([A-Za-z0-9+/=\s]*)$/;

/** An image of the request as a chat content part: a data: URL travels as its bytes (base64), an https URL as itself. */
export function imagePart(value: unknown, path: string): ContentPart {
  checkString(value, path, { min: 1 });
  const url = value as string;
  if (!url.startsWith('data:')) {
    checkImageUrl(url, path);
    return { image_url: { url } };
  }
  const inline = DATA_URL.exec(url);
  if (!inline) throw new InvalidFieldError(path, 'must be a base64 data: URL, like data:image/png;base64,...');
  checkOneOf(inline[1], `${path} media type`, IMAGE_MIME_TYPES);
  const data = inline[2].replace(/\s+/g, '');
  if (data.length === 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw new InvalidFieldError(path, 'must hold the image\'s bytes in base64');
  const bytes = Math.floor((data.length * 3) / 4) - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
  if (bytes > ANALYZE_LIMITS.imageBytes) throw new InvalidFieldError(path, `is an image of ${bytes} bytes; at most ${ANALYZE_LIMITS.imageBytes} are accepted`);
  return { image: { mime_type: inline[1], data } };
}
