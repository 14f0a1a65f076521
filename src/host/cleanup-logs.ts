// What plugins' cleanup hooks logged, and whether they failed, reaches the
// host's log like init's and execute's lines: a plugin that flushes a buffer
// or closes a session in cleanup would otherwise fail or report in silence.
// The sandbox answers cleanups per instance key (name@version#digest).
import type { CleanupReport } from '@plexus/plugin-sdk/runtime';
import type { HostLogger } from './engine-hooks.ts';
import { pluginLogFields } from './plugin-log-fields.ts';

export function logCleanups(logger: HostLogger, reports: readonly CleanupReport[]): void {
  for (const { key, outcome } of reports) {
    const log = logger.child({ ...pluginOfKey(key), phase: 'cleanup' });
    for (const record of outcome.logs) log[record.level](pluginLogFields(record.fields), record.message);
    if (!outcome.ok) log.warn({ code: outcome.error.code, err: outcome.error.message }, 'cleanup hook failed');
  }
}

/** `@scope/name@1.2.3#digest` → name and version (a scoped name has an @ of its own). */
export function pluginOfKey(key: string): { plugin: string; version: string } {
  const spec = key.split('#', 1)[0] ?? key;
  const at = spec.lastIndexOf('@');
  return at > 0 ? { plugin: spec.slice(0, at), version: spec.slice(at + 1) } : { plugin: spec, version: '' };
}
