// The admin HTTP API (/admin/v1) as the CLI calls it: JSON in and out, the admin key as a bearer token,
// and the API's own error message (OpenAI's shape) when it refuses.

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }
}

export interface AdminHttpOptions {
  /** The gateway's HTTP front door, e.g. http://127.0.0.1:8080. */
  url: string;
  adminKey: string;
  fetch?: typeof fetch;
}

export class AdminHttp {
  constructor(private readonly options: AdminHttpOptions) {}

  async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const text = await callGateway(this.options.url, `/admin/v1/${path}`, this.options.fetch, {
      method,
      headers: { authorization: `Bearer ${this.options.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return parseJson<T>(text, 200);
  }
}

/** Calls the gateway at `gatewayUrl`; its answer's text, or AdminApiError with the API's message when it refuses or cannot be reached. */
export async function callGateway(gatewayUrl: string, path: string, fetchImpl: typeof fetch | undefined, init: RequestInit): Promise<string> {
  let response: Response;
  try {
    response = await (fetchImpl ?? fetch)(new URL(path, gatewayUrl), init);
  } catch (error) {
    throw new AdminApiError(0, undefined, `could not reach the gateway at ${gatewayUrl}: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) {
    let error: { message?: string; code?: string } | undefined;
    try {
      error = (JSON.parse(text) as { error?: { message?: string; code?: string } }).error;
    } catch {
      throw new AdminApiError(response.status, undefined, `the gateway answered ${response.status} with something other than JSON`);
    }
    throw new AdminApiError(response.status, error?.code, error?.message ?? `the gateway answered ${response.status}`);
  }
  return text;
}

export function parseJson<T>(text: string, status: number): T {
  try {
    return (text ? JSON.parse(text) : undefined) as T;
  } catch {
    throw new AdminApiError(status, undefined, `the gateway answered ${status} with something other than JSON`);
  }
}
