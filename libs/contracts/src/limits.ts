// The bounds of every caller-supplied value, named once. Every front door (gRPC, the OpenAI and Anthropic
// HTTP APIs, and producers writing straight to the requests topic) is held to them by validate.ts, so a
// value that passes one door passes them all. Where a provider documents a bound, it is that bound (or
// the widest among the providers that share the field); the others keep what the gateway itself stores
// or logs (model names, metadata, key ids) small enough to index and read. docs/limits.md lists them.
export const LIMITS = {
  /** Model names, e.g. an Azure deployment or a Bedrock inference-profile ARN. */
  modelChars: 256,
  messages: 10_000,
  contentPartsPerMessage: 1_000,
  /** A message's author name and a response format's schema name. */
  nameChars: 256,
  /** Function names: OpenAI allows 64, Anthropic and Gemini 128. */
  functionNameChars: 128,
  /** Tool call ids carry Gemini's thought signatures, which run to kilobytes. */
  toolCallIdChars: 65_536,
  toolCallsPerMessage: 1_000,
  /** OpenAI's maximum. */
  tools: 128,
  /** OpenAI allows 4 stop sequences, Anthropic more. */
  stopSequences: 16,
  stopSequenceChars: 256,
  userChars: 256,
  /** OpenAI's metadata allows 16 pairs; the gateway's rows hold more for tagging, but not without end. */
  metadataPairs: 64,
  metadataKeyChars: 64,
  metadataValueChars: 512,
  imageUrlChars: 8_192,
  /** Above every provider's output ceiling; the provider refuses what its model cannot do. */
  maxTokens: 1_000_000,
  /** OpenAI's maximum number of inputs in one embeddings request. */
  embedInputs: 2_048,
  /** Texts in one moderation request: neither OpenAI nor Mistral documents a bound, so that of embeddings. */
  moderationInputs: 2_048,
  /** Documents in one rerank request: Cohere's documented recommendation (Jina and Voyage take as many or fewer). */
  rerankDocuments: 1_000,
  /** Images in one generation: OpenAI's most (DALL-E 2, gpt-image-1); Imagen makes at most 4. */
  imagesPerRequest: 10,
  /** An image prompt: gpt-image-1's 32,000 characters, the longest any provider takes. */
  imagePromptChars: 32_000,
  /** The widest image side any provider makes (gpt-image-1's 1536, Stability's 1536, DALL-E 3's 1792) with room. */
  imageSidePixels: 4_096,
  /** An audio file to transcribe: OpenAI's and Groq's 25 MB (Deepgram takes larger files). */
  audioBytes: 25 * 1024 * 1024,
  /** A transcription's prompt: Whisper reads its last 224 tokens; gpt-4o-transcribe more. */
  transcriptionPromptChars: 8_192,
  /** An audio file's name, as a multipart upload gives it. */
  filenameChars: 256,
  /** The widest embedding any provider serves is 3,072 numbers; 8,192 leaves room for newer models. */
  embedDimensions: 8_192,
  /** Tool parameters and response schemas are a few levels deep; deeper overflows adapters' stacks. */
  jsonDepth: 256,
  /** Request ids, reply topics and key ids on events produced to the requests topic. */
  eventIdChars: 128,
  /** Kafka's own limit on topic names. */
  topicChars: 249,
  /** A Cache-Control header or gRPC metadata value: a few directives; longer is not a cache directive. */
  cacheControlChars: 256,
} as const;

/** The bounds of what the admin API takes for a virtual key or team (docs/keys.md). */
export const KEY_LIMITS = {
  /** Key and team names travel in events, rows and logs: short, and of id characters only. */
  nameChars: 64,
  /** Allowed model names or globs of one key. */
  models: 256,
  /** RPM, TPM and concurrency: far above any provider's tier, below what a number keeps exactly. */
  maxRate: 1_000_000_000_000,
  maxBudgetUsd: 1_000_000_000,
  /** One admin request's JSON body. */
  bodyBytes: 65_536,
  /** Keys or teams one list answer holds. */
  listPage: 1_000,
} as const;

/** The bounds of a usage query (GET /admin/v1/usage, docs/dashboard.md). */
export const USAGE_LIMITS = {
  /** Buckets one time series holds: a day by the minute (1,441 buckets when it starts mid-minute), two months by the hour, four years by the day. */
  buckets: 1_500,
  /** Groups one answer holds, the busiest first; `limit` asks for fewer. */
  groups: 1_000,
  /** Groups an answer holds when `limit` is not given. */
  defaultGroups: 100,
  /** A filter's value: a model name is the longest a row holds. */
  filterChars: 256,
} as const;

export const IMAGE_MIME_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
export const IMAGE_DETAILS: readonly string[] = ['auto', 'low', 'high'];
export const TOOL_CHOICE_MODES: readonly string[] = ['auto', 'none', 'required', 'function'];
export const RESPONSE_FORMAT_TYPES: readonly string[] = ['text', 'json_object', 'json_schema'];
