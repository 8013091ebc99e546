import { classifyDatabaseError, type DatabaseFailure } from './database-errors';

const sqlError = (code: string, message = 'refused') => Object.assign(new Error(message), { code });
const systemError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: 'connect' });
const named = (name: string, message: string) => Object.assign(new Error(message), { name });

const cases: [string, unknown, DatabaseFailure][] = [
  ['22003 numeric value out of range', sqlError('22003'), 'refused'],
  ['22021 NUL in a text column', sqlError('22021'), 'refused'],
  ['22P02 a lone surrogate in jsonb', sqlError('22P02'), 'refused'],
  ['22P05 NUL in jsonb', sqlError('22P05'), 'refused'],
  ['23502 not null violation', sqlError('23502'), 'refused'],
  ['23505 unique violation', sqlError('23505'), 'refused'],
  ['44000 WITH CHECK OPTION violation', sqlError('44000'), 'refused'],
  ['regression: 54000 index row too large (a 9 KB model name was retried forever)', sqlError('54000'), 'refused'],
  ['54001 statement too complex', sqlError('54001'), 'refused'],
  ['42804 datatype mismatch', sqlError('42804'), 'refused'],
  ['42846 cannot coerce', sqlError('42846'), 'refused'],
  ['TypeError while serialising (circular JSON)', new TypeError('Converting circular structure to JSON'), 'refused'],
  ['TypeError while serialising (BigInt)', new TypeError('Do not know how to serialize a BigInt'), 'refused'],
  ['RangeError: a string too long to send', new RangeError('Invalid string length'), 'refused'],
  ['DataCloneError posting to the PGlite thread', named('DataCloneError', '() => 1 could not be cloned.'), 'refused'],
  ['08006 connection failure', sqlError('08006'), 'transient'],
  ['08001 cannot connect', sqlError('08001'), 'transient'],
  ['40001 serialization failure', sqlError('40001'), 'transient'],
  ['40P01 deadlock', sqlError('40P01'), 'transient'],
  ['53100 disk full', sqlError('53100'), 'transient'],
  ['53300 too many connections', sqlError('53300'), 'transient'],
  ['55P03 lock not available', sqlError('55P03'), 'transient'],
  ['57P01 admin shutdown', sqlError('57P01'), 'transient'],
  ['57P03 cannot connect now (starting up)', sqlError('57P03'), 'transient'],
  ['58030 io error', sqlError('58030'), 'transient'],
  ['XX000 internal error', sqlError('XX000'), 'transient'],
  ['42P01 usage_events missing: the schema is wrong, not the row', sqlError('42P01'), 'transient'],
  ['42703 a column missing', sqlError('42703'), 'transient'],
  ['42501 permission denied', sqlError('42501'), 'transient'],
  ['ECONNREFUSED', systemError('ECONNREFUSED'), 'transient'],
  ['ECONNRESET', systemError('ECONNRESET'), 'transient'],
  ['ETIMEDOUT', systemError('ETIMEDOUT'), 'transient'],
  ['EPIPE', systemError('EPIPE'), 'transient'],
  ['ENOTFOUND', systemError('ENOTFOUND'), 'transient'],
  ["pg's connection terminated", new Error('Connection terminated unexpectedly'), 'transient'],
  ["pg's pool timeout", new Error('timeout exceeded when trying to connect'), 'transient'],
  ['the PGlite thread has exited', new Error('the PGlite thread has exited (code 1)'), 'transient'],
  ['not an Error at all', 'boom', 'transient'],
  ['undefined', undefined, 'transient'],
];

describe('classifyDatabaseError', () => {
  it.each(cases)('%s', (_name, error, expected) => {
    expect(classifyDatabaseError(error)).toBe(expected);
  });
});
