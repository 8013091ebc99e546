// aigateway.v1.Admin: the admin API over gRPC, beside AiGateway in the same server. Messages become the
// HTTP admin API's JSON bodies, so KeyAdmin validates both doors' input alike.
import type * as grpc from '@grpc/grpc-js';
import { GatewayError, parseUsageQuery, type KeyUsage, type Team, type UsageFigures, type UsageQuery, type UsageReport, type VirtualKey } from '@switchyard/contracts';
import type { KeyAdmin } from '@switchyard/keys';
import type { Logger } from '@switchyard/telemetry';
import type { GatewayCore } from './gateway-core';

type Message = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface AdminCallContext {
  core: GatewayCore;
  admin: KeyAdmin;
  /** Answers GetUsage where the analytics database is at hand; without it GetUsage is UNIMPLEMENTED. */
  usage?: (query: UsageQuery) => Promise<UsageReport>;
  logger: Logger;
  /** The decoded request, or invalid_request for bytes that are not one. */
  decoded(request: unknown): unknown;
  credentialOf(metadata: grpc.Metadata): string | undefined;
  toServiceError(error: unknown): Partial<grpc.ServiceError>;
}

const KEY_FIELDS = ['name', 'team', 'models', 'rpm', 'tpm', 'max_concurrent', 'budget_usd', 'budget_period', 'expires_at', 'metadata'];
const TEAM_FIELDS = ['name', 'rpm', 'tpm', 'budget_usd', 'budget_period', 'metadata'];

export function createAdminHandlers(context: AdminCallContext): grpc.UntypedServiceImplementation {
  const { admin, usage } = context;
  const unary =
    (run: (request: Message) => Promise<unknown>) =>
    (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      let request: Message;
      try {
        request = context.decoded(call.request) as Message;
        context.core.authorizeAdmin(context.credentialOf(call.metadata));
      } catch (error) {
        return callback(context.toServiceError(error));
      }
      run(request).then(
        (response) => callback(null, response),
        (error) => {
          if (!(error instanceof GatewayError)) context.logger.error('unexpected failure in an admin call', { error });
          callback(context.toServiceError(error));
        },
      );
    };
  return {
    CreateKey: unary(async (request) => {
      const created = await admin.createKey(createBody(request.key, KEY_FIELDS));
      const { key, ...virtualKey } = created;
      return { virtual_key: toGrpc(virtualKey), key };
    }),
    ListKeys: unary(async (request) => ({ keys: (await admin.listKeys({ team: request.team, limit: request.limit })).map(toGrpc) })),
    GetKey: unary(async (request) => toGrpc(await admin.getKey(request.id ?? ''))),
    UpdateKey: unary(async (request) => toGrpc(await admin.updateKey(request.id ?? '', updateBody(request.key, request.update_mask)))),
    RevokeKey: unary(async (request) => toGrpc(await admin.revokeKey(request.id ?? ''))),
    GetKeyUsage: unary(async (request) => toGrpcUsage(await admin.keyUsage(request.id ?? '', request.since))),
    ...(usage ? { GetUsage: unary(async (request) => toGrpcReport(await usage(parseUsageQuery(usageParameters(request), new Date())))) } : {}),
    CreateTeam: unary(async (request) => toGrpc(await admin.createTeam(createBody(request.team, TEAM_FIELDS)))),
    ListTeams: unary(async (request) => ({ teams: (await admin.listTeams({ limit: request.limit })).map(toGrpc) })),
    GetTeam: unary(async (request) => toGrpc(await admin.getTeam(request.id ?? ''))),
    UpdateTeam: unary(async (request) => toGrpc(await admin.updateTeam(request.id ?? '', updateBody(request.team, request.update_mask)))),
    RevokeTeam: unary(async (request) => toGrpc(await admin.revokeTeam(request.id ?? ''))),
  };
}

/** A create request's fields as the HTTP body: set fields only; empty lists and maps are unset. */
function createBody(fields: Message | null | undefined, names: string[]): Message {
  const body: Message = {};
  for (const name of names) {
    const value = fields?.[name];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (name === 'metadata' && Object.keys(value).length === 0) continue;
    body[name] = value;
  }
  return body;
}

/** An update's fields as the HTTP PATCH body: each field the mask names, null (cleared) when unset. */
function updateBody(fields: Message | null | undefined, mask: unknown): Message {
  if (!Array.isArray(mask) || mask.length === 0) throw new GatewayError('invalid_request', 'update_mask names no field to change', { param: 'update_mask' });
  const body: Message = {};
  for (const name of mask as string[]) {
    const value = fields?.[name];
    const empty = value === undefined || value === null || (Array.isArray(value) && value.length === 0) || (name === 'metadata' && Object.keys(value).length === 0);
    body[name] = empty ? null : value;
  }
  return body;
}

/** The API's nulls as unset optional fields. */
function toGrpc(value: VirtualKey | Team): Message {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null));
}

function toGrpcUsage(usage: KeyUsage): Message {
  const { team, budget, ...rest } = usage;
  return { ...rest, ...(team === null ? {} : { team }), ...(budget ? { budget: { ...budget, resets_at: budget.resets_at ?? '' } } : {}) };
}

/** GetUsage's fields as the HTTP API's query parameters: unset and empty fields are the defaults. */
function usageParameters(request: Message): [string, unknown][] {
  const fields = Object.entries(request).filter(([name, value]) => name !== 'group_by' && name !== 'limit' && value !== '' && value !== undefined && value !== null);
  const groupBy = Array.isArray(request.group_by) && request.group_by.length > 0 ? [['group_by', request.group_by.join(',')] as [string, unknown]] : [];
  const limit = request.limit ? [['limit', Number(request.limit)] as [string, unknown]] : [];
  return [...fields, ...groupBy, ...limit];
}

/** The report with each group's dimensions in a map (null values left out) and unset percentiles. */
function toGrpcReport(report: UsageReport): Message {
  const figures = ({ latency_ms, ...counts }: UsageFigures): Message => ({ ...counts, latency_ms: Object.fromEntries(Object.entries(latency_ms).filter(([, value]) => value !== null)) });
  return {
    ...report,
    totals: figures(report.totals),
    groups: report.groups.map((group) => {
      const { requests, errors, prompt_tokens, completion_tokens, cached_prompt_tokens, cost_usd, latency_ms, ...dimensions } = group;
      return {
        dimensions: Object.fromEntries(Object.entries(dimensions).filter(([, value]) => value !== null)),
        figures: figures({ requests, errors, prompt_tokens, completion_tokens, cached_prompt_tokens, cost_usd, latency_ms }),
      };
    }),
    series: report.series.map(({ start, ...point }) => ({ start, figures: figures(point) })),
  };
}
