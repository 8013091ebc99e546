// Original file: proto/aigateway/v1/gateway.proto


export interface Usage {
  'prompt_tokens'?: (number);
  'completion_tokens'?: (number);
  'total_tokens'?: (number);
  /**
   * Prompt tokens served from the provider's prompt cache (a subset of prompt_tokens).
   */
  'cached_prompt_tokens'?: (number);
  /**
   * Prompt tokens written to the provider's prompt cache (a subset of prompt_tokens).
   */
  'cache_creation_prompt_tokens'?: (number);
}

export interface Usage__Output {
  'prompt_tokens': (number);
  'completion_tokens': (number);
  'total_tokens': (number);
  /**
   * Prompt tokens served from the provider's prompt cache (a subset of prompt_tokens).
   */
  'cached_prompt_tokens': (number);
  /**
   * Prompt tokens written to the provider's prompt cache (a subset of prompt_tokens).
   */
  'cache_creation_prompt_tokens': (number);
}
