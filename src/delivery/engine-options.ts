// What the delivery engine is built from (EngineOptions) and what it reports
// as it works (EngineHooks: metrics and logs attach here, src/host/engine-hooks.ts).
import type { LogRecord, PlexusEvent } from '@plexus/plugin-sdk';
import type { CallOutcome, Denial, RestartCause, SandboxPool } from '@plexus/plugin-sdk/runtime';
import type { DeliveryRecord, Settlement, Store } from '../store/store.ts';
import type { ActivePlugin } from './plugin-lane.ts';

/** A plugin version as hooks name it: an active plugin, or one known only by name, version and key (an instance replaced after its batch). */
export type PluginVersion = Pick<ActivePlugin, 'name'> & { spec: Pick<ActivePlugin['spec'], 'key' | 'version'> };

export interface EngineHooks {
  outcome(plugin: ActivePlugin, delivery: DeliveryRecord, outcome: CallOutcome, settlement: Settlement, durationMs: number): void;
  /** A delivery that expired while it waited (it never ran), once it is durably dead-lettered; of a plugin not active here, its version is ''. */
  expired(plugin: PluginVersion, delivery: DeliveryRecord, settlement: Extract<Settlement, { kind: 'dead' }>): void;
  pluginLog(plugin: ActivePlugin, record: LogRecord, event: PlexusEvent | undefined): void;
  /** One entry of a batch's denials; it may stand for several (`denial.count`). */
  denial(plugin: ActivePlugin, denial: Denial): void;
  restart(plugin: PluginVersion, cause: RestartCause): void;
  batch(plugin: ActivePlugin, size: number, durationMs: number): void;
  rateLimited(plugin: ActivePlugin): void;
  duplicates(count: number): void;
  /** An accept() found the host at delivery.maxQueued and waits for room (backpressure on ingress): once per such accept. */
  admissionWait(): void;
  /**
   * A settlement the store did not apply (AcceptResult.unapplied): the
   * delivery is no longer pending (settled or removed while its batch ran) or
   * another host adopted it. The engine forgets it (no retry here).
   */
  unapplied(plugin: PluginVersion, delivery: DeliveryRecord, settlement: Settlement): void;
  error(message: string, err: unknown): void;
  /**
   * Version `key` gets no more batches and its last one ended: its instances
   * are being evicted, and what the host kept for it (loggers, counters) may
   * go. Every upgrade and config change makes a new key.
   */
  retired(key: string): void;
}

export interface EngineOptions {
  store: Store;
  sandbox: SandboxPool;
  dedupWindowMs: number;
  /** This host's id, carried in every delivery id (src/store/host-ids.ts); default: the id a shared store acts for, else random. */
  hostId?: string;
  /** Deliveries held in memory before accept() starts waiting (backpressure to ingress). */
  maxQueued: number;
  /** The wall clock (epoch ms): for times stored or compared with stored ones (acceptedAt, retry times, expiry). Default Date.now. */
  now?: () => number;
  /**
   * A clock that never goes backwards (ms; only differences count), for the
   * waits that live in memory only: a partial batch's linger, the rate
   * limit's refill and pause, the circuit's cool-down. On the wall clock a
   * step back (NTP, a VM resumed) stretched each by the step: an hour's step
   * held a lingering batch an hour. Default performance.now; with `now`
   * injected and this not, `now` (tests that drive time through `now` alone).
   */
  monotonic?: () => number;
  random?: () => number;
  hooks?: Partial<EngineHooks>;
}
