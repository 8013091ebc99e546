// The admin API over HTTP JSON (/admin/v1): virtual keys and teams, and usage, for the admin key alone.
// Errors take OpenAI's shape, as the gateway's other JSON routes do. The logic is KeyAdmin's (libs/keys)
// and, for usage, the query's (libs/contracts) and its SQL's (libs/storage).
import type * as http from 'node:http';
import { GatewayError, KEY_LIMITS, parseUsageQuery, type UsageQuery, type UsageReport } from '@switchyard/contracts';
import type { KeyAdmin } from '@switchyard/keys';
import type { GatewayCore } from '../gateway-core';
import { readJsonBody } from './request-body';
import { RouteError } from './route-error';

export const ADMIN_PATH_PREFIX = '/admin/v1/';

/** What the admin API serves: keys and teams, and usage where the analytics database is at hand. */
export interface AdminServices {
  keys: KeyAdmin;
  usage?: (query: UsageQuery) => Promise<UsageReport>;
}

interface AdminAnswer {
  status: number;
  body: unknown;
}

/** An admin request's answer; GatewayError for a refusal (the caller writes it in the error shape). */
export async function answerAdmin(
  req: http.IncomingMessage,
  core: GatewayCore,
  services: AdminServices | undefined,
  path: string,
  query: URLSearchParams,
  credential: string | undefined,
): Promise<AdminAnswer> {
  if (!services) throw new RouteError(404, 'the admin API is off: this gateway has no admin key (set SWITCHYARD_ADMIN_KEY)');
  core.authorizeAdmin(credential);
  const { keys: admin, usage } = services;
  const [collection, id, sub, ...rest] = path.slice(ADMIN_PATH_PREFIX.length).split('/').map(decodedSegment);
  const method = req.method ?? '';
  const body = () => readJsonBody(req, KEY_LIMITS.bodyBytes);
  const ok = (value: unknown, status = 200): AdminAnswer => ({ status, body: value });
  if (rest.length === 0 && collection === 'keys') {
    if (id === undefined) {
      if (method === 'POST') return ok(await admin.createKey(await body()), 201);
      if (method === 'GET') return ok({ data: await admin.listKeys({ team: query.get('team') ?? undefined, limit: query.get('limit') ?? undefined }) });
      throw wrongMethod(path, 'GET, POST');
    }
    if (sub === 'usage') {
      if (method === 'GET') return ok(await admin.keyUsage(id, query.get('since') ?? undefined));
      throw wrongMethod(path, 'GET');
    }
    if (sub === 'producer-token') {
      if (method === 'POST') return ok(await admin.producerToken(id, req.headers['content-length'] === '0' ? {} : await body()), 201);
      throw wrongMethod(path, 'POST');
    }
    if (sub === undefined) {
      if (method === 'GET') return ok(await admin.getKey(id));
      if (method === 'PATCH') return ok(await admin.updateKey(id, await body()));
      if (method === 'DELETE') return ok(await admin.revokeKey(id));
      throw wrongMethod(path, 'GET, PATCH, DELETE');
    }
  }
  if (usage && collection === 'usage' && id === undefined) {
    if (method === 'GET') return ok(await usage(parseUsageQuery(query.entries(), new Date())));
    throw wrongMethod(path, 'GET');
  }
  if (rest.length === 0 && sub === undefined && collection === 'teams') {
    if (id === undefined) {
      if (method === 'POST') return ok(await admin.createTeam(await body()), 201);
      if (method === 'GET') return ok({ data: await admin.listTeams({ limit: query.get('limit') ?? undefined }) });
      throw wrongMethod(path, 'GET, POST');
    }
    if (method === 'GET') return ok(await admin.getTeam(id));
    if (method === 'PATCH') return ok(await admin.updateTeam(id, await body()));
    if (method === 'DELETE') return ok(await admin.revokeTeam(id));
    throw wrongMethod(path, 'GET, PATCH, DELETE');
  }
  const served = ['/admin/v1/keys', '/admin/v1/keys/{id}', '/admin/v1/keys/{id}/usage', '/admin/v1/keys/{id}/producer-token', '/admin/v1/teams', '/admin/v1/teams/{id}', ...(usage ? ['/admin/v1/usage'] : [])];
  throw new RouteError(404, `no admin route ${method} ${path}; the admin API serves ${served.slice(0, -1).join(', ')} and ${served[served.length - 1]}`);
}

export function wrongMethod(path: string, allowed: string): RouteError {
  return new RouteError(405, `${path} takes ${allowed}`, allowed);
}

export function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new GatewayError('invalid_request', 'the path is not valid percent-encoding');
  }
}
