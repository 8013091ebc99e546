// Scanning what a gateway produced for credentials it must never show: the whole credential, or any
// long enough piece of it (a message cut at a length limit can end halfway through a key).

/** One place a credential showed up. */
export interface CredentialLeak {
  /** What the text was, e.g. "log line 12" or "gRPC error of openai/chat/echo". */
  where: string;
  /** The credential, so that the report tells whose it was. */
  credential: string;
  /** The longest piece of the credential found there. */
  fragment: string;
}

/**
 * Every text in which some credential shows, whole or as a piece longer than `longerThan` characters.
 * Credentials should be random enough that no piece that long turns up in ordinary text.
 */
export function findCredentialLeaks(texts: Iterable<[where: string, text: string]>, credentials: string[], longerThan = 8): CredentialLeak[] {
  const size = longerThan + 1;
  const owners = new Map<string, Set<string>>();
  for (const credential of credentials) {
    for (let start = 0; start + size <= credential.length; start++) {
      const piece = credential.slice(start, start + size);
      owners.set(piece, (owners.get(piece) ?? new Set()).add(credential));
    }
  }
  const leaks: CredentialLeak[] = [];
  for (const [where, text] of texts) {
    let found: CredentialLeak | undefined;
    for (let start = 0; start + size <= text.length; start++) {
      for (const credential of owners.get(text.slice(start, start + size)) ?? []) {
        let end = start + size;
        while (end < text.length && credential.includes(text.slice(start, end + 1))) end++;
        if (!found || end - start > found.fragment.length) found = { where, credential, fragment: text.slice(start, end) };
      }
    }
    if (found) leaks.push(found);
  }
  return leaks;
}

/** Takes what the process writes to stderr (where the gateway's logger writes) until stopped, instead of printing it. */
export function captureStderr(): { lines(): string[]; stop(): void } {
  const write = process.stderr.write;
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stderr.write;
  return {
    lines: () => text.split('\n').filter((line) => line !== ''),
    stop: () => {
      process.stderr.write = write;
    },
  };
}
