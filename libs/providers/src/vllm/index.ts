// vLLM's OpenAI-compatible server (https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html).
// It needs no key unless started with --api-key; then set `api_key_env`.
import { compatibleProviderFactory } from '../openai-compatible';

export const VLLM_DEFAULT_BASE_URL = 'http://localhost:8000/v1';

export const vllmProviderFactory = compatibleProviderFactory({ name: 'vllm', baseUrl: VLLM_DEFAULT_BASE_URL });
