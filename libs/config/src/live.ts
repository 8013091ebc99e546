// One live configuration: the version a process runs on, swapped whole for a new one that passes every
// check, and the recent versions kept so that a request finishes on the version it started with.
import { createHash } from 'node:crypto';
import type { Logger } from '@switchyard/telemetry';
import { ConfigError } from './load';
import type { GatewayConfig } from './schema';

/**
 * A configuration's version: the first 16 hex digits of the SHA-256 of its text, so that every instance
 * holding the same text names it alike, whether it read it from its file or from the config topic.
 */
export function configVersionOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** A version as a process runs on it; never changed once made (the configuration is frozen). */
export interface ConfigSnapshot<V> {
  readonly config_version: string;
  readonly config: GatewayConfig;
  /** Where it came from: a file's path, or the config topic. */
  readonly source: string;
  /** What this process made of it (its stages, catalog, adapters). */
  readonly view: V;
}

export type ApplyOutcome =
  | { outcome: 'applied'; config_version: string; previous_version: string; source: string; restart_needed: string[] }
  | { outcome: 'unchanged'; config_version: string; source: string }
  | { outcome: 'refused'; config_version: string; kept_version: string; source: string; reason: string };

export interface LiveConfigOptions<V> {
  /** Checks and reads a text (parseGatewayConfig, with the adapters' keys); throws ConfigError naming what is wrong. */
  parse(text: string, source: string): GatewayConfig;
  /** What the process makes of a configuration; a throw refuses the configuration. */
  derive(config: GatewayConfig, configVersion: string): V;
  /** Versions kept for the requests that started on them. */
  kept?: number;
}

/** Settings read once, at start: a new value is reported, and takes effect at the next restart. */
const RESTART_ONLY: readonly { path: string; of: (config: GatewayConfig) => unknown }[] = [
  // The gRPC server takes its largest message when it is made.
  { path: 'limits.max_request_bytes', of: (config) => config.limits.max_request_bytes },
];

const DEFAULT_KEPT = 16;

export class LiveConfig<V> {
  private snapshot: ConfigSnapshot<V>;
  // In the order applied: the oldest is forgotten first.
  private readonly recent = new Map<string, ConfigSnapshot<V>>();
  private readonly listeners: ((snapshot: ConfigSnapshot<V>) => void)[] = [];

  /**
   * Starts on a configuration's text, or on one read already (a test's), whose version is that of its
   * JSON; throws ConfigError when the text fails a check.
   */
  constructor(
    private readonly options: LiveConfigOptions<V>,
    initial: { text: string; source: string } | { config: GatewayConfig; source: string },
  ) {
    this.snapshot =
      'text' in initial
        ? this.make(initial.text, initial.source, configVersionOf(initial.text))
        : this.snapshotOf(initial.config, initial.source, configVersionOf(JSON.stringify(initial.config)));
    this.recent.set(this.snapshot.config_version, this.snapshot);
  }

  get current(): ConfigSnapshot<V> {
    return this.snapshot;
  }

  /** The version a request started on, while it is kept; else the current one. */
  at(configVersion: string | undefined): ConfigSnapshot<V> {
    return (configVersion !== undefined && this.recent.get(configVersion)) || this.snapshot;
  }

  /** Called with each version applied, after the swap. */
  onChange(listener: (snapshot: ConfigSnapshot<V>) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Swaps in the configuration in `text` if it passes every check; otherwise the running one stays and
   * the outcome says why. Requests already under way keep the version they started with.
   */
  apply(text: string, source: string): ApplyOutcome {
    const config_version = configVersionOf(text);
    const running = this.snapshot;
    if (config_version === running.config_version) return { outcome: 'unchanged', config_version, source };
    let next: ConfigSnapshot<V>;
    try {
      next = this.make(text, source, config_version);
    } catch (error) {
      const reason = error instanceof ConfigError ? error.message : `${source}: ${(error as Error).message}`;
      return { outcome: 'refused', config_version, kept_version: running.config_version, source, reason };
    }
    this.snapshot = next;
    this.recent.delete(config_version);
    this.recent.set(config_version, next);
    if (this.recent.size > (this.options.kept ?? DEFAULT_KEPT)) this.recent.delete(this.recent.keys().next().value!);
    for (const listener of this.listeners) listener(next);
    const restart_needed = RESTART_ONLY.filter(({ of }) => of(next.config) !== of(running.config)).map(({ path }) => path);
    return { outcome: 'applied', config_version, previous_version: running.config_version, source, restart_needed };
  }

  private make(text: string, source: string, config_version: string): ConfigSnapshot<V> {
    return this.snapshotOf(this.options.parse(text, source), source, config_version);
  }

  private snapshotOf(config: GatewayConfig, source: string, config_version: string): ConfigSnapshot<V> {
    const frozen = deepFreeze(config);
    return Object.freeze({ config_version, config: frozen, source, view: this.options.derive(frozen, config_version) });
  }
}

/** Logs what became of a configuration: applied, unchanged, or refused with the reason. */
export function reportApplied(logger: Logger, result: ApplyOutcome): void {
  switch (result.outcome) {
    case 'applied':
      logger.info('configuration applied', { config_version: result.config_version, previous_version: result.previous_version, source: result.source });
      if (result.restart_needed.length > 0) {
        logger.warn('configuration settings that take effect only at the next restart changed', { config_version: result.config_version, restart_needed: result.restart_needed });
      }
      return;
    case 'unchanged':
      logger.info('configuration unchanged', { config_version: result.config_version, source: result.source });
      return;
    case 'refused':
      logger.error('configuration refused; the running one stays', { config_version: result.config_version, kept_version: result.kept_version, reason: result.reason });
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
