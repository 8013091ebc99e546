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
    const url = new URL(`/admin/v1/${path}`, this.options.url);
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        method,
        headers: { authorization: `Bearer ${this.options.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new AdminApiError(0, undefined, `could not reach the gateway at ${this.options.url}: ${(error as Error).message}`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new AdminApiError(response.status, undefined, `the gateway answered ${response.status} with something other than JSON`);
    }
    if (!response.ok) {
      const error = (parsed as { error?: { message?: string; code?: string } } | undefined)?.error;
      throw new AdminApiError(response.status, error?.code, error?.message ?? `the gateway answered ${response.status}`);
    }
    return parsed as T;
  }
}
