// Prometheus metrics as a test reads them: scraped from each /metrics a gateway serves, and the same
// checks run against the embedded gateway (one URL) and the distributed one (a URL per service).

/** Every sample of a scrape, keyed by name and labels as the text format writes them. */
export type Samples = Map<string, { name: string; labels: Record<string, string>; value: number }>;

export async function scrapeMetrics(url: string): Promise<Samples> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  return parseMetrics(await response.text());
}

/** Every URL's samples summed: one process counts a request at the ingress, another its tokens. */
export async function scrapeAll(urls: readonly string[]): Promise<Samples> {
  const all: Samples = new Map();
  for (const url of urls) {
    for (const [key, sample] of await scrapeMetrics(url)) {
      const existing = all.get(key);
      if (existing) existing.value += sample.value;
      else all.set(key, { ...sample });
    }
  }
  return all;
}

export function parseMetrics(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[name] = value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.set(`${match[1]}{${match[2] ?? ''}}`, { name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include `labels`. */
export function valueOf(samples: Samples, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const sample of samples.values()) {
    if (sample.name === name && Object.entries(labels).every(([label, value]) => sample.labels[label] === value)) total += sample.value;
  }
  return total;
}

/** How much each of `series` moved from `before` to `after`. */
export function movedBy(before: Samples, after: Samples, series: Record<string, [string, Record<string, string>]>): Record<string, number> {
  return Object.fromEntries(Object.entries(series).map(([what, [name, labels]]) => [what, valueOf(after, name, labels) - valueOf(before, name, labels)]));
}
