import type { Usage } from '@switchyard/contracts';

/**
 * Unified usage from APIs that count cache reads and writes apart from the other input tokens
 * (Anthropic, Bedrock): the unified prompt_tokens is their sum, with the cached parts as subsets.
 */
export function usageWithSeparateCacheCounts(counts: { input?: number | null; output?: number | null; cacheRead?: number | null; cacheWrite?: number | null }): Usage {
  const cacheRead = counts.cacheRead ?? 0;
  const cacheWrite = counts.cacheWrite ?? 0;
  const prompt = (counts.input ?? 0) + cacheRead + cacheWrite;
  const completion = counts.output ?? 0;
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (cacheRead) usage.cached_prompt_tokens = cacheRead;
  if (cacheWrite) usage.cache_creation_prompt_tokens = cacheWrite;
  return usage;
}
