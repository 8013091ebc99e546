import { memoryReport } from './service';

describe('memoryReport', () => {
  it('reports the heap after a full collection, so garbage just dropped is not counted', () => {
    const before = memoryReport();
    let garbage: number[][] | undefined = Array.from({ length: 64 }, () => new Array(100_000).fill(1.5));
    expect(garbage.length).toBe(64);
    garbage = undefined;
    const after = memoryReport();
    // 64 arrays of 100,000 doubles are about 50 MB: a report that did not collect would count them.
    expect(after.heap_used - before.heap_used).toBeLessThan(5 * 1024 * 1024);
    expect(after.rss).toBeGreaterThan(after.heap_used);
  });
});
