// Whether a failed write was the row's fault or the database's. The answer decides between two very
// different responses: a row the database refuses is refused again however often it is sent, so
// retrying it pins its partition for good; a database that is away comes back, so its rows wait.

export type DatabaseFailure = 'refused' | 'transient';

// SQLSTATE classes a row's content causes: data exceptions (22: out of range, bad encoding, NUL, bad
// JSON), integrity constraints (23), WITH CHECK OPTION (44) and program limits (54: an index row or a
// value too large).
const REFUSED_CLASSES = new Set(['22', '23', '44', '54']);
// Class 42 mostly says the statement or the schema is wrong (a missing column, no permission), which an
// operator fixes, so its rows wait; these two are about a value.
const REFUSED_CODES = new Set(['42804', '42846']);
// Errors raised while the client serialises a row, before the database sees it: JSON of a circular
// object or a BigInt (TypeError), a string longer than the client can send (RangeError), a value that
// cannot be posted to PGlite's thread (DataCloneError).
const REFUSED_NAMES = new Set(['TypeError', 'RangeError', 'DataCloneError']);

/**
 * `refused` when the row itself is what the database or its client refuses; `transient` for all else:
 * connection failures (SQLSTATE 08, node socket errors), conflicts (40), resources (53), operator
 * intervention (57), system errors (58), and errors that say the schema is wrong, which are the
 * database's fault too and end once it is fixed.
 */
export function classifyDatabaseError(error: unknown): DatabaseFailure {
  if (typeof error !== 'object' || error === null) return 'transient';
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return REFUSED_CLASSES.has(code.slice(0, 2)) || REFUSED_CODES.has(code) ? 'refused' : 'transient';
  }
  return typeof name === 'string' && REFUSED_NAMES.has(name) ? 'refused' : 'transient';
}
