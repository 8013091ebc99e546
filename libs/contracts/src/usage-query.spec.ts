import { bucketStarts, parseUsageQuery } from './usage-query';

const now = new Date('2030-01-10T12:34:56.000Z');
const parse = (parameters: Record<string, string> | [string, string][]) => parseUsageQuery(Array.isArray(parameters) ? parameters : Object.entries(parameters), now);

describe('parseUsageQuery', () => {
  it('takes the last day by the minute, no groups and 100 of them at most, when given nothing', () => {
    expect(parse({})).toEqual({ from: new Date('2030-01-09T12:34:56.000Z'), to: now, bucket: 'minute', group_by: [], filters: {}, limit: 100 });
  });

  it('reads times, spans, dimensions, filters and the limit', () => {
    expect(parse({ from: '7d', to: '2030-01-10T00:00:00Z', group_by: 'model, key', model: 'gpt-4o-mini', key: 'vk_0123456789abcdef', team: 'search', provider: 'openai', limit: '5' })).toEqual({
      from: new Date('2030-01-03T12:34:56.000Z'),
      to: new Date('2030-01-10T00:00:00.000Z'),
      bucket: 'hour',
      group_by: ['model', 'key'],
      filters: { model: 'gpt-4o-mini', key: 'vk_0123456789abcdef', team: 'search', provider: 'openai' },
      limit: 5,
    });
    expect(parse({ from: '1000d' }).bucket).toBe('day');
  });

  it.each([
    [{ group_by: 'model,secret' }, 'group_by is "secret"; expected one of model, provider, key, team, status, error_code'],
    [{ group_by: 'model,model' }, 'group_by names a dimension twice (model,model)'],
    [{ from: 'yesterday' }, 'from must be a span such as 30m, 24h or 7d, or an ISO 8601 time'],
    [{ to: '2030-13-45T00:00:00Z' }, 'to must be a span such as 30m, 24h or 7d, or an ISO 8601 time'],
    [{ from: '2030-01-10T00:00:00Z', to: '2030-01-09T00:00:00Z' }, 'from must be before to (from 2030-01-10T00:00:00.000Z, to 2030-01-09T00:00:00.000Z)'],
    [{ from: '2030-01-10T00:00:00Z', to: '2030-01-10T00:00:00Z' }, 'from must be before to (from 2030-01-10T00:00:00.000Z, to 2030-01-10T00:00:00.000Z)'],
    [
      { from: '2d', bucket: 'minute' },
      'bucket minute makes 2881 buckets from 2030-01-08T12:34:56.000Z to 2030-01-10T12:34:56.000Z; at most 1500 are served: take a wider bucket or a shorter range',
    ],
    [{ from: '0001-01-01T00:00:00Z' }, 'bucket day makes 741087 buckets from 0001-01-01T00:00:00.000Z to 2030-01-10T12:34:56.000Z; at most 1500 are served: take a wider bucket or a shorter range'],
    [{ bucket: 'week' }, 'bucket is "week"; expected one of minute, hour, day'],
    [{ limit: '0' }, 'limit is "0"; it must be an integer between 1 and 1000'],
    [{ limit: '1001' }, 'limit is "1001"; it must be an integer between 1 and 1000'],
    [{ limit: '1.5' }, 'limit is "1.5"; it must be an integer between 1 and 1000'],
    [{ model: 'x'.repeat(257) }, 'model is 257 characters long; at most 256 are accepted'],
    [{ team: 'a\nb' }, 'team must not hold control characters'],
    [{ since: '1h' }, 'since is not a parameter of the usage API; expected group_by, from, to, bucket, limit, model, provider, key, team'],
    [
      [
        ['model', 'a'],
        ['model', 'b'],
      ],
      'model is given more than once',
    ],
  ])('refuses %j: %s', (parameters, message) => {
    expect(() => parse(parameters as Record<string, string>)).toThrow(message);
    try {
      parse(parameters as Record<string, string>);
    } catch (error) {
      expect((error as { httpStatus: number }).httpStatus).toBe(400);
    }
  });
});

describe('bucketStarts', () => {
  it('aligns buckets on UTC and includes the bucket the range ends in', () => {
    expect(bucketStarts(new Date('2030-01-10T10:59:30Z'), new Date('2030-01-10T12:00:01Z'), 'hour').map((start) => start.toISOString())).toEqual([
      '2030-01-10T10:00:00.000Z',
      '2030-01-10T11:00:00.000Z',
      '2030-01-10T12:00:00.000Z',
    ]);
  });
});
