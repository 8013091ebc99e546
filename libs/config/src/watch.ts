// Embedded mode's configuration file, followed: a change applies it, a failed check leaves the running one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '@switchyard/telemetry';
import { reportApplied, type ApplyOutcome, type LiveConfig } from './live';

/** Reads `file` and applies it; an unreadable file is refused like an invalid one. */
export function reloadConfigFile<V>(live: LiveConfig<V>, file: string): ApplyOutcome {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const running = live.current.config_version;
    return { outcome: 'refused', config_version: running, kept_version: running, source: file, reason: `cannot read configuration ${file}: ${(error as Error).message}` };
  }
  return live.apply(text, file);
}

export interface ConfigFileWatch {
  close(): void;
}

/** How long the folder must be quiet before the file is read: an editor's save is several events. */
export const CONFIG_WATCH_DEBOUNCE_MS = 100;

/**
 * Applies `file` when it changes, and on SIGHUP. The folder is watched, not the file: editors that save
 * by writing a new file and renaming it over the old one (and Kubernetes, which swaps a symlink) replace
 * the file a watch on it would follow. Any event in the folder rereads the file; an unchanged text is
 * its running version, and nothing happens.
 */
export function watchConfigFile<V>(
  live: LiveConfig<V>,
  file: string,
  logger: Logger,
  { debounceMs = CONFIG_WATCH_DEBOUNCE_MS, signals = process as NodeJS.EventEmitter }: { debounceMs?: number; signals?: NodeJS.EventEmitter } = {},
): ConfigFileWatch {
  const reload = () => {
    const result = reloadConfigFile(live, file);
    if (result.outcome !== 'unchanged') reportApplied(logger, result);
  };
  let timer: NodeJS.Timeout | undefined;
  const watcher = fs.watch(path.dirname(path.resolve(file)), () => {
    clearTimeout(timer);
    timer = setTimeout(reload, debounceMs);
  });
  watcher.on('error', (error) => logger.error('cannot watch the configuration file; SIGHUP still reloads it', { file, error: error.message }));
  const onHangUp = () => reportApplied(logger, reloadConfigFile(live, file));
  signals.on('SIGHUP', onHangUp);
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
      signals.off('SIGHUP', onHangUp);
    },
  };
}
