// What the host does with what the engine reports: metrics, and logs.
// Plugin logs go through a child logger per plugin version (name and version
// on every line) with the event's traceparent, behind a per-plugin rate limit
// so a chatty plugin cannot flood the host. Secrets never reach a log line:
// plugins log only what they chose to, and the host logs ids, not payloads.
import type { EngineHooks } from '../delivery/engine.ts';
import type { ActivePlugin } from '../delivery/plugin-lane.ts';
import { TokenBucket } from '../delivery/rate-limiter.ts';
import type { HostMetrics } from '../observability/host-metrics.ts';

/** The slice of a pino logger the host uses. */
export interface HostLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  child(bindings: object): HostLogger;
}

/** Plugin log lines per second (and burst) before lines are dropped and counted. */
export const PLUGIN_LOG_LIMIT = { ratePerSecond: 100, burst: 500 };

interface PluginLog {
  logger: HostLogger;
  bucket: TokenBucket;
  dropped: number;
}

export function engineHooks(logger: HostLogger, metrics: HostMetrics, now: () => number = Date.now): Partial<EngineHooks> {
  const logs = new Map<string, PluginLog>();
  const pluginLog = (plugin: ActivePlugin): PluginLog => {
    let entry = logs.get(plugin.spec.key);
    if (!entry) {
      entry = { logger: logger.child({ plugin: plugin.name, version: plugin.spec.version }), bucket: new TokenBucket(PLUGIN_LOG_LIMIT, now()), dropped: 0 };
      logs.set(plugin.spec.key, entry);
    }
    return entry;
  };
  const labels = (plugin: ActivePlugin) => ({ plugin: plugin.name, version: plugin.spec.version });
  // The counter child of each plugin version, resolved once, and counted once
  // per batch (its size): resolving labels means building and hashing a key,
  // and prom-client's child inc() does that again on every call.
  const executions = new Map<string, ReturnType<typeof metrics.executions.labels>>();
  const executionsOf = (plugin: ActivePlugin) => {
    let child = executions.get(plugin.spec.key);
    if (child === undefined) {
      child = metrics.executions.labels(labels(plugin));
      executions.set(plugin.spec.key, child);
    }
    return child;
  };
  return {
    outcome(plugin, delivery, outcome, settlement) {
      if (!outcome.ok) metrics.failures.inc({ ...labels(plugin), code: outcome.error.code ?? 'PLEXUS_PLUGIN_ERROR' });
      if (outcome.droppedLogs > 0) metrics.logsDropped.inc({ plugin: plugin.name }, outcome.droppedLogs);
      if (settlement.kind === 'retry') metrics.retries.inc(labels(plugin));
      if (settlement.kind === 'dead') {
        metrics.deadLettered.inc({ ...labels(plugin), reason: settlement.reason });
        pluginLog(plugin).logger.warn({ event: delivery.event.id, type: delivery.event.type, reason: settlement.reason, code: settlement.error?.code, traceparent: delivery.event.traceparent }, 'event dead-lettered');
      }
    },
    pluginLog(plugin, record, event) {
      const log = pluginLog(plugin);
      if (!log.bucket.tryTake(1, now()).ok) {
        log.dropped++;
        metrics.logsDropped.inc({ plugin: plugin.name });
        return;
      }
      if (log.dropped > 0) {
        log.logger.warn({ dropped: log.dropped }, 'plugin log lines dropped by the rate limit');
        log.dropped = 0;
      }
      const fields = { ...record.fields, ...(event ? { event: event.id, traceparent: event.traceparent } : {}) };
      log.logger[record.level](fields, record.message);
    },
    batch(plugin, size, durationMs) {
      executionsOf(plugin).inc(size);
      metrics.batchDuration.observe(labels(plugin), durationMs / 1000);
    },
    rateLimited(plugin) {
      metrics.rateLimited.inc({ scope: 'plugin', key: plugin.name });
    },
    denial(denial) {
      metrics.denials.inc({ plugin: denial.plugin, capability: denial.capability });
      logger.warn({ plugin: denial.plugin, capability: denial.capability, target: denial.target }, 'capability denied');
    },
    restart(plugin, cause) {
      metrics.restarts.inc({ ...labels(plugin), cause });
      pluginLog(plugin).logger.warn({ cause }, 'plugin instance replaced');
    },
    duplicates(count) {
      metrics.duplicates.inc(count);
    },
    error(message, err) {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, message);
    },
  };
}
