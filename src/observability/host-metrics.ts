// The host's Prometheus metrics (GET /metrics), in a registry of its own so
// two hosts in one process (tests) never share counters. Counters move as
// events flow (engine hooks, ingress adapters); gauges are read at scrape time
// from whoever owns the number (engine, store, sandbox), so they are never stale.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HostLogger } from './host-logger.ts';
import { BoundedReading } from './bounded-reading.ts';

/** What the scrape-time gauges read; supplied by the host once it has started. */
export interface MetricSources {
  /** `active`: the engine serves the lane now; an inactive one (its plugin disabled or removed) only keeps its deliveries. */
  lanes(): { plugin: string; version: string; queued: number; inFlight: number; circuit: 'closed' | 'open' | 'half-open'; active: boolean }[];
  depth(): { retrying: number; inFlightBatches: number; parked: number; held: number; maxQueued: number };
  retryingPerPlugin(): ReadonlyMap<string, number>;
  dlqSize(): Promise<number>;
  sandbox(): Promise<{ utilization: number; rssBytes: number; threads: number }>;
  sandboxCrashes(): number;
}

const CIRCUIT = { closed: 0, 'half-open': 1, open: 2 } as const;

/** How long a scrape waits for the store's DLQ count: a scraper's own timeout is often 10 s, and the other metrics must not wait behind it. */
export const DLQ_SIZE_TIMEOUT_MS = 1000;

export interface HostMetricsOptions {
  /** Where a reading that fails is reported (once per run of failures). */
  logger?: HostLogger;
}

export class HostMetrics {
  readonly registry = new Registry();
  readonly ingress = new Counter({ name: 'plexus_ingress_events_total', help: 'Events arriving at ingress, by source and outcome (received, accepted, refused) and refusal reason.', labelNames: ['source', 'outcome', 'reason'] as const, registers: [this.registry] });
  readonly executions = new Counter({ name: 'plexus_plugin_executions_total', help: 'execute calls, per plugin version.', labelNames: ['plugin', 'version'] as const, registers: [this.registry] });
  readonly failures = new Counter({ name: 'plexus_plugin_failures_total', help: 'Failed execute calls, by error code.', labelNames: ['plugin', 'version', 'code'] as const, registers: [this.registry] });
  readonly retries = new Counter({ name: 'plexus_plugin_retries_total', help: 'Deliveries scheduled for retry.', labelNames: ['plugin', 'version'] as const, registers: [this.registry] });
  readonly deadLettered = new Counter({ name: 'plexus_plugin_dead_lettered_total', help: 'Deliveries dead-lettered, by reason.', labelNames: ['plugin', 'version', 'reason'] as const, registers: [this.registry] });
  readonly batchDuration = new Histogram({ name: 'plexus_plugin_batch_duration_seconds', help: 'Time from sending a batch to the sandbox to its outcomes, per plugin version.', labelNames: ['plugin', 'version'] as const, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry] });
  readonly denials = new Counter({ name: 'plexus_capability_denials_total', help: 'Attempts to use an ungranted capability target.', labelNames: ['plugin', 'capability'] as const, registers: [this.registry] });
  readonly restarts = new Counter({ name: 'plexus_instance_restarts_total', help: 'Plugin instances replaced, by cause (timeout, oom, crash, init-failed, detached).', labelNames: ['plugin', 'version', 'cause'] as const, registers: [this.registry] });
  readonly rateLimited = new Counter({ name: 'plexus_rate_limit_hits_total', help: 'Times a rate limit held work back, by scope (plugin, source) and key.', labelNames: ['scope', 'key'] as const, registers: [this.registry] });
  readonly duplicates = new Counter({ name: 'plexus_duplicates_total', help: 'Deliveries suppressed by idempotencykey within the dedup window.', registers: [this.registry] });
  readonly admissionWaits = new Counter({ name: 'plexus_admission_waits_total', help: 'Accepts that found the host at delivery.maxQueued and waited for room (backpressure on ingress).', registers: [this.registry] });
  readonly logsDropped = new Counter({ name: 'plexus_plugin_logs_dropped_total', help: 'Plugin log lines dropped by the per-plugin log rate limit or the per-call cap.', labelNames: ['plugin'] as const, registers: [this.registry] });
  private sources: MetricSources | undefined;

  constructor(options: HostMetricsOptions = {}) {
    // Process metrics, event-loop lag (plexus_nodejs_eventloop_lag_*) and GC come from prom-client's defaults.
    collectDefaultMetrics({ register: this.registry, prefix: 'plexus_' });
    const self = this;
    const lanes = () => self.sources?.lanes() ?? [];
    // The engine keeps the lane of a plugin disabled or removed (its deliveries
    // wait for its return), and never drops it: exported per plugin as they
    // were, such a plugin's series stayed forever and its deliveries read as
    // waiting to run, while after a restart the same ones read as parked.
    new Gauge({ name: 'plexus_queue_depth', help: 'Deliveries waiting to run, per active plugin.', labelNames: ['plugin'] as const, registers: [this.registry], collect() {
      this.reset();
      for (const lane of lanes()) if (lane.active) this.set({ plugin: lane.plugin }, lane.queued);
    } });
    new Gauge({ name: 'plexus_in_flight_batches', help: 'Batches in the sandbox, per plugin.', labelNames: ['plugin'] as const, registers: [this.registry], collect() {
      this.reset();
      // A plugin disabled while its batches run shows them until they end.
      for (const lane of lanes()) if (lane.active || lane.inFlight > 0) this.set({ plugin: lane.plugin }, lane.inFlight);
    } });
    new Gauge({ name: 'plexus_circuit_state', help: 'Circuit breaker per active plugin: 0 closed, 1 half-open, 2 open.', labelNames: ['plugin'] as const, registers: [this.registry], collect() {
      this.reset();
      for (const lane of lanes()) if (lane.active) this.set({ plugin: lane.plugin }, CIRCUIT[lane.circuit]);
    } });
    new Gauge({ name: 'plexus_retrying_deliveries', help: 'Deliveries waiting for their retry time.', registers: [this.registry], collect() {
      this.set(self.sources?.depth().retrying ?? 0);
    } });
    new Gauge({ name: 'plexus_plugin_retrying_deliveries', help: 'Deliveries waiting for their retry time, per plugin (they count against delivery.maxQueued).', labelNames: ['plugin'] as const, registers: [this.registry], collect() {
      this.reset();
      for (const [plugin, n] of self.sources?.retryingPerPlugin() ?? []) this.set({ plugin }, n);
    } });
    new Gauge({ name: 'plexus_held_deliveries', help: 'Deliveries held in memory that count against delivery.maxQueued (queued, behind a partition key, waiting for a retry; emitted and egress ones beyond their own rooms). Ingress waits while this is at plexus_max_queued.', registers: [this.registry], collect() {
      this.set(self.sources?.depth().held ?? 0);
    } });
    new Gauge({ name: 'plexus_max_queued', help: 'delivery.maxQueued: the deliveries held in memory before ingress waits.', registers: [this.registry], collect() {
      this.set(self.sources?.depth().maxQueued ?? 0);
    } });
    new Gauge({ name: 'plexus_parked_deliveries', help: 'Deliveries of plugins that are not active, kept for their return.', registers: [this.registry], collect() {
      let parked = self.sources?.depth().parked ?? 0;
      for (const lane of lanes()) if (!lane.active) parked += lane.queued;
      this.set(parked);
    } });
    const timeoutMs = DLQ_SIZE_TIMEOUT_MS;
    const dlqSize = new BoundedReading({
      read: () => self.sources?.dlqSize() ?? Promise.resolve(0),
      timeoutMs,
      onFailure: (err) => options.logger?.warn({ err: err instanceof Error ? err.message : String(err), timeoutMs }, 'plexus_dlq_size not read from the store; it keeps its last value'),
    });
    new Gauge({ name: 'plexus_dlq_size', help: 'Entries in the dead-letter queue.', registers: [this.registry], async collect() {
      // A store that does not answer leaves the last value in place rather than a made-up 0.
      const size = await dlqSize.value();
      if (size !== undefined) this.set(size);
    } });
    // The sandbox process answers both; one that is stuck (or respawning) must not hold the scrape either.
    const sandboxStats = new BoundedReading({
      read: async () => self.sources?.sandbox(),
      timeoutMs,
      onFailure: (err) => options.logger?.warn({ err: err instanceof Error ? err.message : String(err), timeoutMs }, 'plexus_sandbox_utilization and plexus_sandbox_rss_bytes not read from the sandbox; they keep their last values'),
    });
    new Gauge({ name: 'plexus_sandbox_utilization', help: 'Share of the sandbox worker pool that was busy (0-1).', registers: [this.registry], async collect() {
      const stats = await sandboxStats.value();
      if (stats !== undefined) this.set(stats.utilization);
    } });
    new Gauge({ name: 'plexus_sandbox_rss_bytes', help: 'Resident memory of the sandbox process.', registers: [this.registry], async collect() {
      const stats = await sandboxStats.value();
      if (stats !== undefined) this.set(stats.rssBytes);
    } });
    new Gauge({ name: 'plexus_sandbox_crashes_total', help: 'Times the sandbox process died and was respawned.', registers: [this.registry], collect() {
      this.set(self.sources?.sandboxCrashes() ?? 0);
    } });
  }

  /** Connects the scrape-time gauges to the running host. */
  attach(sources: MetricSources): void {
    this.sources = sources;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  close(): void {
    // A stopped host exports nothing: its gauges would read closed store and sandbox.
    this.sources = undefined;
    this.registry.clear();
  }
}
