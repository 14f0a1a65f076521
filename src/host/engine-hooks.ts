// What the host does with what the engine reports: counts it and logs it.
// Plugin logs go through a child logger per plugin (name and version on every
// line) with the event's traceparent; secrets never reach a log line because
// plugins only log what they chose to, and the host logs ids, not payloads.
import type { EngineHooks } from '../delivery/engine.ts';
import type { HostStats } from './host-stats.ts';

/** The slice of a pino logger the host uses. */
export interface HostLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  child(bindings: object): HostLogger;
}

export function engineHooks(logger: HostLogger, stats: HostStats): Partial<EngineHooks> {
  const pluginLoggers = new Map<string, HostLogger>();
  const pluginLogger = (name: string, version: string) => {
    const key = `${name}@${version}`;
    let child = pluginLoggers.get(key);
    if (!child) {
      child = logger.child({ plugin: name, version });
      pluginLoggers.set(key, child);
    }
    return child;
  };
  return {
    outcome(plugin, delivery, outcome, settlement) {
      const counters = stats.plugin(plugin.name);
      counters.executions++;
      if (!outcome.ok) counters.failures++;
      if (settlement.kind === 'retry') counters.retries++;
      if (settlement.kind === 'dead') {
        counters.deadLettered++;
        pluginLogger(plugin.name, plugin.spec.version).warn({ event: delivery.event.id, type: delivery.event.type, reason: settlement.reason, code: settlement.error?.code, traceparent: delivery.event.traceparent }, 'event dead-lettered');
      }
    },
    pluginLog(plugin, record, event) {
      const fields = { ...record.fields, ...(event ? { event: event.id, traceparent: event.traceparent } : {}) };
      pluginLogger(plugin.name, plugin.spec.version)[record.level](fields, record.message);
    },
    denial(denial) {
      stats.plugin(denial.plugin).denials++;
      logger.warn({ plugin: denial.plugin, capability: denial.capability, target: denial.target }, 'capability denied');
    },
    restart(plugin, cause) {
      const restarts = stats.plugin(plugin.name).restarts;
      restarts[cause] = (restarts[cause] ?? 0) + 1;
      pluginLogger(plugin.name, plugin.spec.version).warn({ cause }, 'plugin instance replaced');
    },
    duplicates(count) {
      stats.duplicates += count;
    },
    error(message, err) {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, message);
    },
  };
}
