// A small structured logger: one JSON object per line on stderr, so that six processes' logs can be
// merged and filtered. LOG_LEVEL=debug|info|warn|error (default info). Written here rather than taken
// from a library because it is twenty lines and never runs on the request path. A line written in a
// recorded span, or by a logger made for a request (child), carries the request's trace_id.
import { trace } from '@opentelemetry/api';

type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` (e.g. a request's trace_id) to every line. */
  child(fields: Record<string, unknown>): Logger;
}

export function createLogger(service: string, level = (process.env.LOG_LEVEL as Level) || 'info', bound?: Record<string, unknown>): Logger {
  const threshold = RANK[level] ?? RANK.info;
  const write = (at: Level, message: string, fields?: Record<string, unknown>) => {
    if (RANK[at] < threshold) return;
    const line: Record<string, unknown> = { ts: new Date().toISOString(), level: at, service, msg: message };
    const active = trace.getActiveSpan()?.spanContext();
    if (active && trace.isSpanContextValid(active)) line.trace_id = active.traceId;
    if (bound) Object.assign(line, bound);
    if (fields) Object.assign(line, fields);
    process.stderr.write(JSON.stringify(line, errorReplacer) + '\n');
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger(service, level, { ...bound, ...fields }),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
