/**
 * Whether a model name is one a key allows: its allowed models are names or globs (`*` any run of
 * characters, `?` one); none allowed means every model. Compiled once per key, when the key arrives.
 */
export function modelMatcher(patterns: readonly string[]): (model: string) => boolean {
  if (patterns.length === 0) return () => true;
  const names = new Set(patterns.filter((pattern) => !isGlob(pattern)));
  const globs = patterns.filter(isGlob);
  if (globs.length === 0) return (model) => names.has(model);
  return (model) => names.has(model) || globs.some((glob) => globMatches(glob, model));
}

function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/**
 * Wildcard matching without a regular expression: a pattern such as `*a*a*a*b` makes a backtracking
 * regex engine take time exponential in its stars. This goes back only to the last star, so it takes
 * at most the product of the two lengths.
 */
export function globMatches(glob: string, text: string): boolean {
  let g = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (g < glob.length && (glob[g] === '?' || (glob[g] !== '*' && glob[g] === text[t]))) {
      g++;
      t++;
    } else if (g < glob.length && glob[g] === '*') {
      star = g++;
      resume = t;
    } else if (star >= 0) {
      g = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.length && glob[g] === '*') g++;
  return g === glob.length;
}
