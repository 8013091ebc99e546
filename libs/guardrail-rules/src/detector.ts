// A detector finds the spans of one kind of sensitive value in a text. Every pattern here runs in
// time linear in the text: a match can start only where a run of its characters starts (a lookbehind),
// or its repetitions are bounded, so that no input makes the engine retry a long run from each of its
// characters. The 1 MB regression tests in detectors.spec.ts hold each one to that.

/** Where a value was found: [start, end) in the text, and what it is. */
export interface Span {
  start: number;
  end: number;
  entity: string;
}

export interface Detector {
  entity: string;
  find(text: string): Span[];
}

/**
 * A detector from a global pattern: the whole match is the value, or the named group `value` (with the
 * `d` flag, for its place) when the pattern needs context around it; `valid` confirms a candidate (a checksum, a range).
 */
export function patternDetector(entity: string, pattern: RegExp, valid?: (value: string, text: string, at: number) => boolean): Detector {
  if (!pattern.global) throw new Error(`the pattern of ${entity} must be global`);
  return {
    entity,
    find(text) {
      const spans: Span[] = [];
      pattern.lastIndex = 0;
      for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
        const value = match.groups?.value ?? match[0];
        const start = match.indices?.groups?.value?.[0] ?? match.index;
        if (value.length > 0 && (!valid || valid(value, text, start))) spans.push({ start, end: start + value.length, entity });
        if (match[0].length === 0) pattern.lastIndex++;
      }
      return spans;
    },
  };
}
