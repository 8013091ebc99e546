// What the gateway keeps of Mistral's documented errors (fixtures/errors.json), for every Mistral spec.
export const MISTRAL_ERROR_MESSAGES = {
  '400': 'too large for model with 32768 maximum context length',
  '401': 'Unauthorized',
  '403': 'You do not have access to this model.',
  '404': 'Not Found',
  '408': 'Request timed out.',
  '413': 'Request body too large.',
  '429': 'Rate limit exceeded',
  '500': 'Internal server error',
  '503': 'Service unavailable, please retry later.',
};

/** The Retry-After of errors.json's 429. */
export const MISTRAL_RETRY_AFTER_MS = 60_000;
