// Deny lists: words and phrases, and regular expressions that users write. A user's pattern runs on the
// event loop over every prompt (and answer), so it must not backtrack: Node's own engine backtracks
// (`/a*b/` alone is quadratic, `(a+)+b` exponential), so patterns are compiled for V8's linear-time
// engine (the `l` flag, an automaton simulation: time linear in the text for any pattern it accepts).
// It refuses what it cannot run in linear time (backreferences, lookarounds, counts over 16 such as `\d{17}`)
// and the `i` and `u` flags, at compile time: the configuration is refused then, naming the rule.
import { setFlagsFromString } from 'node:v8';
import { patternDetector, type Detector, type Span } from './detector';

/** Whole words or phrases, without regard to case: one pass over the lower-cased text per word. */
export function denyWordsDetector(words: string[]): Detector {
  const lowered = [...new Set(words.map((word) => word.toLowerCase()))];
  const wordChar = /[\p{L}\p{N}_]/u;
  return {
    entity: 'denied',
    find(text) {
      const haystack = text.toLowerCase();
      // Lower-casing may change the length (a few characters expand): then offsets are not the text's.
      if (haystack.length !== text.length) return [];
      const spans: Span[] = [];
      for (const word of lowered) {
        for (let at = haystack.indexOf(word); at >= 0; at = haystack.indexOf(word, at + word.length)) {
          const before = at > 0 && wordChar.test(haystack[at - 1]);
          const after = at + word.length < haystack.length && wordChar.test(haystack[at + word.length]);
          if (!before && !after) spans.push({ start: at, end: at + word.length, entity: 'denied' });
        }
      }
      return spans;
    },
  };
}

let linearEngine: boolean | undefined;

/** V8's linear-time engine, switched on once per process; false where this Node does not offer it. */
function linearEngineAvailable(): boolean {
  if (linearEngine === undefined) {
    setFlagsFromString('--enable-experimental-regexp-engine');
    try {
      // eslint-disable-next-line no-invalid-regexp -- `l` is V8's linear-time engine, which the flag above switches on
      new RegExp('', 'l');
      linearEngine = true;
    } catch {
      linearEngine = false;
    }
  }
  return linearEngine;
}

/**
 * A user's pattern compiled for the linear-time engine (global: every match), or why it cannot be:
 * the reason is the engine's own, for the configuration's error.
 */
export function compileDenyPattern(source: string): RegExp | string {
  if (!linearEngineAvailable()) return 'this Node.js has no linear-time regular expression engine (V8 --enable-experimental-regexp-engine), which deny patterns need';
  try {
    // eslint-disable-next-line no-invalid-regexp -- as above
    return new RegExp(source, 'gl');
  } catch (error) {
    const reason = (error as Error).message.replace(/^Invalid regular expression: \/.*\/gl: /s, '');
    return reason === 'Cannot be executed in linear time'
      ? 'it cannot run in linear time (backreferences, lookarounds, and counted repetitions of more than 16, nested counts multiplied, are refused)'
      : reason;
  }
}

/**
 * Every match of the patterns, each a span; the configuration checked them when it loaded. The linear
 * engine's cost is per character scanned (about 0.2 µs here), and grows little with the automaton's
 * size, so a rule's patterns run as one alternation: one scan, not one a pattern. Patterns that cannot
 * be joined (a group name used twice) run one by one.
 */
export function denyPatternsDetector(sources: string[]): Detector {
  const compile = (source: string) => {
    const pattern = compileDenyPattern(source);
    if (typeof pattern === 'string') throw new Error(`deny pattern ${JSON.stringify(source)}: ${pattern}`);
    return pattern;
  };
  const patterns = sources.map(compile);
  const joined = sources.length > 1 ? compileDenyPattern(sources.map((source) => `(?:${source})`).join('|')) : patterns[0];
  const detectors = (typeof joined === 'string' ? patterns : [joined]).map((pattern) => patternDetector('denied', pattern));
  return {
    entity: 'denied',
    find: (text) => detectors.flatMap((detector) => detector.find(text)),
  };
}
