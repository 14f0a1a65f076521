// What the host does with what the engine reports: metrics, and logs.
// Plugin logs go through a child logger per plugin version (name and version
// on every line) with the event's traceparent, behind a per-plugin rate limit
// so a chatty plugin cannot flood the host. Capability denials share that
// limit: a plugin can cause one per call, as fast as it logs. Metrics count
// every line and denial, limited or not. Secrets never reach a log line:
// plugins log only what they chose to, and the host logs ids, not payloads.
import { denialCount } from '@plexus/plugin-sdk/runtime';
import type { EngineHooks, PluginVersion } from '../delivery/engine-options.ts';
import type { ActivePlugin } from '../delivery/plugin-lane.ts';
import { TokenBucket } from '../delivery/rate-limiter.ts';
import type { HostLogger } from '../observability/host-logger.ts';
import type { HostMetrics } from '../observability/host-metrics.ts';
import type { DeliveryRecord, Settlement } from '../store/store.ts';
import { pluginLogFields } from '../observability/plugin-log-fields.ts';


/** How often the host logs a plugin's emit chains stopped at the maximum depth (once per plugin per interval). */
export const EMIT_DEPTH_LOG_INTERVAL_MS = 60_000;

/** Plugin log lines per second (and burst) before lines are dropped and counted. */
export const PLUGIN_LOG_LIMIT = { ratePerSecond: 100, burst: 500 };

interface PluginLog {
  logger: HostLogger;
  bucket: TokenBucket;
  dropped: number;
}

export function engineHooks(logger: HostLogger, metrics: HostMetrics, now: () => number = Date.now): Partial<EngineHooks> {
  const logs = new Map<string, PluginLog>();
  const pluginLog = (plugin: PluginVersion): PluginLog => {
    let entry = logs.get(plugin.spec.key);
    if (!entry) {
      entry = { logger: logger.child({ plugin: plugin.name, version: plugin.spec.version }), bucket: new TokenBucket(PLUGIN_LOG_LIMIT, now()), dropped: 0 };
      logs.set(plugin.spec.key, entry);
    }
    return entry;
  };
  /** The plugin's logger if its rate limit lets one more line through; a line it holds back is counted as dropped. */
  const limited = (plugin: ActivePlugin): HostLogger | undefined => {
    const log = pluginLog(plugin);
    if (!log.bucket.tryTake(1, now()).ok) {
      log.dropped++;
      metrics.logsDropped.inc({ plugin: plugin.name });
      return undefined;
    }
    if (log.dropped > 0) {
      log.logger.warn({ dropped: log.dropped }, 'plugin log lines dropped by the rate limit');
      log.dropped = 0;
    }
    return log.logger;
  };
  const labels = (plugin: PluginVersion) => ({ plugin: plugin.name, version: plugin.spec.version });
  const deadLettered = (plugin: PluginVersion, delivery: DeliveryRecord, settlement: Extract<Settlement, { kind: 'dead' }>) => {
    metrics.deadLettered.inc({ ...labels(plugin), reason: settlement.reason });
    pluginLog(plugin).logger.warn({ event: delivery.event.id, type: delivery.event.type, reason: settlement.reason, code: settlement.error?.code, traceparent: delivery.event.traceparent }, 'event dead-lettered');
  };
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
  // Per plugin: a loop fed by a busy source reaches the maximum depth once per
  // incoming event, and a line for each would flood the log (each is in the DLQ and counted anyway).
  const tooDeep = new Map<string, { loggedAt: number; heldBack: number }>();
  const emitChainTooDeep = (plugin: ActivePlugin, message: string) => {
    const at = now();
    const seen = tooDeep.get(plugin.name);
    if (seen !== undefined && at - seen.loggedAt < EMIT_DEPTH_LOG_INTERVAL_MS) {
      seen.heldBack++;
      return;
    }
    tooDeep.set(plugin.name, { loggedAt: at, heldBack: 0 });
    const more = seen !== undefined && seen.heldBack > 0 ? { heldBack: seen.heldBack } : {};
    pluginLog(plugin).logger.warn({ err: message, ...more }, `emit chain too deep: ${plugin.name}'s events are dead-lettered with PLEXUS_EMIT_DEPTH_EXCEEDED (an emit loop?)`);
  };
  return {
    outcome(plugin, delivery, outcome, settlement) {
      if (!outcome.ok) metrics.failures.inc({ ...labels(plugin), code: outcome.error.code ?? 'PLEXUS_PLUGIN_ERROR' });
      if (!outcome.ok && outcome.error.code === 'PLEXUS_EMIT_DEPTH_EXCEEDED') emitChainTooDeep(plugin, outcome.error.message);
      if (outcome.droppedLogs > 0) metrics.logsDropped.inc({ plugin: plugin.name }, outcome.droppedLogs);
      if (settlement.kind === 'retry') metrics.retries.inc(labels(plugin));
      if (settlement.kind === 'dead') deadLettered(plugin, delivery, settlement);
    },
    expired(plugin, delivery, settlement) {
      deadLettered(plugin, delivery, settlement);
    },
    pluginLog(plugin, record, event) {
      const logger = limited(plugin);
      if (logger === undefined) return;
      const fields = { ...pluginLogFields(record.fields), ...(event ? { event: event.id, traceparent: event.traceparent } : {}) };
      logger[record.level](fields, record.message);
    },
    batch(plugin, size, durationMs) {
      executionsOf(plugin).inc(size);
      metrics.batchDuration.observe(labels(plugin), durationMs / 1000);
    },
    rateLimited(plugin) {
      metrics.rateLimited.inc({ scope: 'plugin', key: plugin.name });
    },
    denial(plugin, denial) {
      // An entry may tally many denials past the sandbox's per-batch list (count): the counter takes them all.
      const count = denialCount(denial);
      metrics.denials.inc({ plugin: denial.plugin, capability: denial.capability }, count);
      limited(plugin)?.warn({ capability: denial.capability, target: denial.target, ...(count > 1 ? { count } : {}) }, 'capability denied');
    },
    restart(plugin, cause) {
      metrics.restarts.inc({ ...labels(plugin), cause });
      pluginLog(plugin).logger.warn({ cause }, 'plugin instance replaced');
    },
    unapplied(plugin, delivery, settlement) {
      // Rare (a host that lost its lease, or a delivery settled meanwhile), and the operator's to know about.
      pluginLog(plugin).logger.warn({ event: delivery.event.id, delivery: delivery.id, outcome: settlement.kind }, 'outcome not recorded: the delivery was settled meanwhile or another host runs it now; not run again here');
    },
    duplicates(count) {
      metrics.duplicates.inc(count);
    },
    admissionWait() {
      metrics.admissionWaits.inc();
    },
    error(message, err) {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, message);
    },
    retired(key) {
      // Kept per version key, these maps grew by one entry per upgrade or config change for the host's life.
      // Lines the limit held back are reported now: a retired version logs nothing that would report them later.
      const log = logs.get(key);
      if (log !== undefined && log.dropped > 0) log.logger.warn({ dropped: log.dropped }, 'plugin log lines dropped by the rate limit');
      logs.delete(key);
      executions.delete(key);
    },
  };
}
