// Where each adapter reads its credentials, named once: the catalog disables a provider block whose
// variables are unset, and the adapters read the very same variables.
import type { ProviderConfig } from './schema';

/** The settings of a provider block that name the environment variables holding its credentials. */
export type CredentialSetting = 'api_key_env' | 'secret_key_env' | 'session_token_env';

const CREDENTIAL_SETTINGS: readonly CredentialSetting[] = ['api_key_env', 'secret_key_env', 'session_token_env'];

type Variables = Partial<Record<CredentialSetting, string>>;

export interface AdapterCredentials {
  /** Each credential the adapter cannot call without, and the variable it is read from unless the block names another. */
  required: Variables;
  /** Credentials used when set (a temporary AWS key's session token). */
  optional?: Variables;
}

/**
 * By adapter kind. A kind absent here (mock, ollama, vllm) needs no credentials; its block may still
 * name a key variable (a vLLM started with --api-key), and then that variable must be set.
 */
export const ADAPTER_CREDENTIALS: Readonly<Record<string, AdapterCredentials>> = {
  openai: { required: { api_key_env: 'OPENAI_API_KEY' } },
  anthropic: { required: { api_key_env: 'ANTHROPIC_API_KEY' } },
  bedrock: {
    required: { api_key_env: 'AWS_ACCESS_KEY_ID', secret_key_env: 'AWS_SECRET_ACCESS_KEY' },
    optional: { session_token_env: 'AWS_SESSION_TOKEN' },
  },
  gemini: { required: { api_key_env: 'GEMINI_API_KEY' } },
  cohere: { required: { api_key_env: 'COHERE_API_KEY' } },
  'azure-openai': { required: { api_key_env: 'AZURE_OPENAI_API_KEY' } },
  mistral: { required: { api_key_env: 'MISTRAL_API_KEY' } },
  groq: { required: { api_key_env: 'GROQ_API_KEY' } },
  jina: { required: { api_key_env: 'JINA_API_KEY' } },
  deepgram: { required: { api_key_env: 'DEEPGRAM_API_KEY' } },
  together: { required: { api_key_env: 'TOGETHER_API_KEY' } },
  fireworks: { required: { api_key_env: 'FIREWORKS_API_KEY' } },
  deepseek: { required: { api_key_env: 'DEEPSEEK_API_KEY' } },
  xai: { required: { api_key_env: 'XAI_API_KEY' } },
  openrouter: { required: { api_key_env: 'OPENROUTER_API_KEY' } },
  perplexity: { required: { api_key_env: 'PERPLEXITY_API_KEY' } },
};

/** The adapter a provider block uses: its `kind`, or its own name. */
export function adapterKindOf(name: string, block: ProviderConfig | Record<string, unknown> | undefined): string {
  const kind = block?.kind;
  return typeof kind === 'string' && kind !== '' ? kind : name;
}

/** The variable one credential of a block is read from: the one the block names, else its adapter's default. */
export function credentialVariable(kind: string, block: Record<string, unknown> | undefined, setting: CredentialSetting): string | undefined {
  const named = block?.[setting];
  if (isNamed(named)) return named;
  const defaults = ADAPTER_CREDENTIALS[kind];
  return defaults?.required[setting] ?? defaults?.optional?.[setting];
}

/** The value of one credential of a block, from the environment; undefined when unset. */
export function credentialOf(kind: string, block: Record<string, unknown> | undefined, setting: CredentialSetting, env: NodeJS.ProcessEnv): string | undefined {
  const variable = credentialVariable(kind, block, setting);
  return variable === undefined ? undefined : env[variable] || undefined;
}

/** The variables a block cannot be served without: its adapter's credentials, and any other credential variable the block names. */
export function requiredCredentialVariables(kind: string, block: Record<string, unknown> | undefined): string[] {
  const required = ADAPTER_CREDENTIALS[kind]?.required ?? {};
  const variables = CREDENTIAL_SETTINGS.filter((setting) => setting in required || isNamed(block?.[setting])).map((setting) =>
    credentialVariable(kind, block, setting),
  );
  return [...new Set(variables.filter((variable): variable is string => variable !== undefined))];
}

/** Why a provider block is not served (the variables to set), or undefined when it has its credentials. */
export function providerDisabledReason(name: string, block: ProviderConfig | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const missing = requiredCredentialVariables(adapterKindOf(name, block), block).filter((variable) => !env[variable]);
  return missing.length > 0 ? `provider ${name} is not enabled: set ${missing.join(' and ')}` : undefined;
}

function isNamed(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
