// What plugins' cleanup hooks logged, and whether they failed, reaches the
// host's log like init's and execute's lines: a plugin that flushes a buffer
// or closes a session in cleanup would otherwise fail or report in silence.
import type { CleanupReport } from '@plexus/plugin-sdk/runtime';
import type { HostLogger } from '../observability/host-logger.ts';
import { pluginLogFields } from '../observability/plugin-log-fields.ts';

export function logCleanups(logger: HostLogger, reports: readonly CleanupReport[]): void {
  for (const { plugin, version, outcome } of reports) {
    const log = logger.child({ plugin, version, phase: 'cleanup' });
    for (const record of outcome.logs) log[record.level](pluginLogFields(record.fields), record.message);
    if (!outcome.ok) log.warn({ code: outcome.error.code, err: outcome.error.message }, 'cleanup hook failed');
  }
}
