// The documented gateway error codes. Every failure, wherever it happens, becomes one of these, with the
// gRPC status and HTTP status it maps to. Numbers are the gRPC status codes (google.rpc.Code), kept as
// literals so that this contract library does not depend on a gRPC runtime.

export const GRPC_STATUS = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export const ERROR_CODES = {
  /** The request is malformed: no messages, an unknown role, a missing field. */
  invalid_request: { grpc: GRPC_STATUS.INVALID_ARGUMENT, http: 400 },
  /** The requested model is not in the gateway's configuration. */
  model_not_found: { grpc: GRPC_STATUS.NOT_FOUND, http: 404 },
  /** The model exists but does not offer what was asked (e.g. embeddings from a chat model). */
  unsupported_capability: { grpc: GRPC_STATUS.INVALID_ARGUMENT, http: 400 },
  /** The request is larger than the configured limit. */
  request_too_large: { grpc: GRPC_STATUS.RESOURCE_EXHAUSTED, http: 413 },
  /** A missing or wrong gateway key. */
  unauthenticated: { grpc: GRPC_STATUS.UNAUTHENTICATED, http: 401 },
  /** A virtual key's or team's rate limit (requests or tokens a minute, or concurrent requests) was hit. */
  rate_limited: { grpc: GRPC_STATUS.RESOURCE_EXHAUSTED, http: 429 },
  /** A virtual key's or team's budget for its period cannot cover the request's highest possible cost. */
  budget_exceeded: { grpc: GRPC_STATUS.RESOURCE_EXHAUSTED, http: 429 },
  /** The caller's virtual key may not use the requested model (its allowed models). */
  model_not_allowed: { grpc: GRPC_STATUS.PERMISSION_DENIED, http: 403 },
  /** A valid key that may not do this: the admin API takes only the admin key. */
  permission_denied: { grpc: GRPC_STATUS.PERMISSION_DENIED, http: 403 },
  /** The admin API has no key or team with that id. */
  not_found: { grpc: GRPC_STATUS.NOT_FOUND, http: 404 },
  /** A guardrail rule refused the request. */
  guardrail_blocked: { grpc: GRPC_STATUS.PERMISSION_DENIED, http: 403 },
  /** The caller's deadline passed before an answer. */
  deadline_exceeded: { grpc: GRPC_STATUS.DEADLINE_EXCEEDED, http: 504 },
  /** The caller went away; the work was stopped. */
  cancelled: { grpc: GRPC_STATUS.CANCELLED, http: 499 },
  /** The message bus (Kafka) cannot be reached. */
  bus_unavailable: { grpc: GRPC_STATUS.UNAVAILABLE, http: 503 },
  /** Too many calls to the model are in flight and waiting in this gateway; retry after `retry_after_ms`. */
  overloaded: { grpc: GRPC_STATUS.UNAVAILABLE, http: 503 },
  /** The provider rejected the request as invalid (its 400, 404 or 413). */
  provider_invalid_request: { grpc: GRPC_STATUS.INVALID_ARGUMENT, http: 400 },
  /** The provider refused the gateway's credentials (its 401 or 403). */
  provider_auth_failed: { grpc: GRPC_STATUS.FAILED_PRECONDITION, http: 502 },
  /** The provider's rate limit (its 429). */
  provider_rate_limited: { grpc: GRPC_STATUS.RESOURCE_EXHAUSTED, http: 429 },
  /** The provider timed out (its 408 or 504, or no answer in time). */
  provider_timeout: { grpc: GRPC_STATUS.DEADLINE_EXCEEDED, http: 504 },
  /** The provider failed (its 5xx) or could not be reached. */
  provider_unavailable: { grpc: GRPC_STATUS.UNAVAILABLE, http: 503 },
  /** The provider answered with something that is not its documented format, or stopped mid-answer. */
  provider_bad_response: { grpc: GRPC_STATUS.UNAVAILABLE, http: 502 },
  /** A fault inside the gateway. */
  internal: { grpc: GRPC_STATUS.INTERNAL, http: 500 },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The serialisable form of an error, as carried in events and replies. */
export interface GatewayErrorBody {
  code: ErrorCode;
  message: string;
  /** The provider's own HTTP status, when the error came from a provider. */
  provider_status?: number;
  /** Milliseconds the caller should wait before retrying, when known (Retry-After). */
  retry_after_ms?: number;
  /** The request field at fault, for invalid_request, as a path (e.g. messages[0].content). */
  param?: string;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly providerStatus?: number;
  readonly retryAfterMs?: number;
  readonly param?: string;

  constructor(code: ErrorCode, message: string, options: { providerStatus?: number; retryAfterMs?: number; param?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.providerStatus = options.providerStatus;
    this.retryAfterMs = options.retryAfterMs;
    this.param = options.param;
  }

  get grpcStatus(): number {
    return ERROR_CODES[this.code].grpc;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  toBody(): GatewayErrorBody {
    const body: GatewayErrorBody = { code: this.code, message: this.message };
    if (this.providerStatus !== undefined) body.provider_status = this.providerStatus;
    if (this.retryAfterMs !== undefined) body.retry_after_ms = this.retryAfterMs;
    if (this.param !== undefined) body.param = this.param;
    return body;
  }

  static fromBody(body: GatewayErrorBody): GatewayError {
    const code = body.code in ERROR_CODES ? body.code : 'internal';
    return new GatewayError(code, body.message, { providerStatus: body.provider_status, retryAfterMs: body.retry_after_ms, param: body.param });
  }

  /** Any thrown value as a GatewayError; unknown faults become `internal` with their message kept. */
  static from(error: unknown): GatewayError {
    if (error instanceof GatewayError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new GatewayError('internal', message, { cause: error });
  }
}

/** An invalid_request about one field of a request; `param` is its path, e.g. messages[0].content. */
export class InvalidFieldError extends GatewayError {
  declare readonly param: string;

  constructor(param: string, problem: string) {
    // "model is required" reads on; zod's own messages ("Invalid input: ...") follow a colon.
    super('invalid_request', /^[a-z]/.test(problem) ? `${param} ${problem}` : `${param}: ${problem}`, { param });
  }
}
