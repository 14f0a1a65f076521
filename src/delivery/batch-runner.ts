// One batch, from the sandbox to a durable outcome: the plugin runs, its
// outcomes become settlements, and they are written through the engine's one
// writer before anything acts on them (trackers, retries, partition keys,
// emitted deliveries; CONTRACT §6). Deliveries that expired while they waited
// are dead-lettered the same way. The engine (engine.ts) queues, pumps and
// admits; it counts what runs and commits here to know when it is idle.
import type { RunResult, SandboxPool } from '@plexus/plugin-sdk/runtime';
import type { AcceptInput, Settlement } from '../store/store.ts';
import { batchJson, reportOutcomes, settleBatch, type BatchSettlements, type SettleContext } from './batch-settlements.ts';
import { emittedDeliveries, refuseEmits } from './emit-backpressure.ts';
import type { EngineOptions, PluginVersion } from './engine-options.ts';
import type { ActivePlugin, PluginLane, QueuedDelivery } from './plugin-lane.ts';
import type { RetiringInstances } from './retiring-instances.ts';
import type { RetryWaits } from './retry-waits.ts';
import type { StoreWriter } from './store-writer.ts';

/** What was being made durable when a write failed (the error hook's message names it; built only then, not per batch). */
type Unsettled = 'delivery' | 'expiry';

/** How long a store failure keeps deliveries off the queue before they are tried again. */
const STORE_RETRY_MS = 1000;

const NONE_UNAPPLIED: ReadonlySet<number> = new Set();

/** What settling deliveries needs of their lane: a plugin's lane, or a stand-in for one with no lane here (parked-deliveries.ts). */
export interface SettlingLane {
  readonly plugin: PluginVersion;
  releasePartition(delivery: QueuedDelivery): void;
}

/** The engine's parts a batch uses; the functions are made once, by the engine, not per batch. */
export interface BatchRunnerParts {
  /** Read per batch for `random` and `hooks`, as the engine was given them. */
  options: EngineOptions;
  sandbox: SandboxPool;
  writer: StoreWriter;
  retries: RetryWaits;
  retiring: RetiringInstances;
  /** The wall clock (settlement times, retry times). */
  now: () => number;
  /** The clock the circuit breakers time on (never steps back). */
  monotonic: () => number;
  /** The deliveries an emitted event gets, under the table for emitted events in force now. */
  routeEmitted: SettleContext['route'];
  /** Queues deliveries made by a commit (those of the events plugins emitted). */
  enqueue: (deliveries: QueuedDelivery[]) => void;
  /** Waits for room for `count` emitted deliveries and reserves it (emit-backpressure.ts); false: the emits are refused. */
  roomForEmits: (lane: PluginLane, count: number) => Promise<boolean>;
  /** The room roomForEmits reserved is taken by the queued deliveries now (or not needed: the write failed). */
  releaseEmits: (count: number) => void;
  /** A lane slot or a commit was freed: the engine looks for work again. */
  schedulePump: () => void;
}

export class BatchRunner {
  private readonly parts: BatchRunnerParts;
  private inFlightBatches = 0;
  /** Outcomes being written (a batch's, once it left the lane, and expiries): work idle() must wait for. */
  private pendingCommits = 0;

  constructor(parts: BatchRunnerParts) {
    this.parts = parts;
  }

  /** Batches between their start and their outcome pending as a commit. */
  get inFlight(): number {
    return this.inFlightBatches;
  }

  /** Outcomes being written. */
  get committing(): number {
    return this.pendingCommits;
  }

  expire(lane: SettlingLane, expired: QueuedDelivery[]): void {
    const { options } = this.parts;
    const at = this.parts.now();
    // A delivery that failed before it expired keeps its last error in the DLQ entry (CONTRACT §6).
    const settlements = expired.map((d): Extract<Settlement, { kind: 'dead' }> => ({ kind: 'dead', deliveryId: d.record.id, handle: d.record.handle, attempt: d.record.attempt, reason: 'expired', at, ...(d.record.lastError === undefined ? {} : { error: d.record.lastError }) }));
    // These never ran, so no batch reports them: reported once durable (a failed write expires them again later).
    void this.writeOutcomes(lane, expired, settlements, [], 'expiry').then((unapplied) => {
      if (unapplied === undefined) return;
      settlements.forEach((s, i) => {
        if (!unapplied.has(i)) options.hooks?.expired?.(lane.plugin, (expired[i] as QueuedDelivery).record, s);
      });
    });
  }

  async runBatch(lane: PluginLane, plugin: ActivePlugin, batch: QueuedDelivery[], permit: Parameters<PluginLane['breaker']['onSuccess']>[0]): Promise<void> {
    let settled: BatchSettlements;
    // Counted from here until its outcome is pending as a commit: execute()
    // resolves some microtasks before this resumes, and a pump in that gap
    // (one a commit that just ended scheduled) found nothing in flight and
    // nothing committing, so idle() resolved before this outcome was written.
    this.inFlightBatches++;
    try {
      settled = await this.execute(lane, plugin, batch, permit);
    } catch (err) {
      this.inFlightBatches--;
      this.notSettled(lane, batch, 'delivery', err);
      this.parts.schedulePump();
      return;
    }
    // Emits wait for room holding the lane's slot: only the emitting lane is held back (emit-backpressure.ts).
    let reserved = 0;
    try {
      if (settled.emitted.length > 0) reserved = await this.admitEmits(lane, plugin, batch, settled);
    } finally {
      lane.batchEnded();
    }
    reportOutcomes(plugin, batch, settled, this.parts.options.hooks);
    // The lane's slot is free now: the next batch runs while this one's outcome is written.
    const writing = this.writeOutcomes(lane, batch, settled.settlements, settled.emitted, 'delivery');
    this.inFlightBatches--;
    this.parts.schedulePump();
    try {
      await writing;
    } finally {
      if (reserved > 0) this.parts.releaseEmits(reserved);
    }
  }

  /** Room reserved for the batch's emitted deliveries; when none comes, `settled` is changed to refuse its emits (and 0 answered). */
  private async admitEmits(lane: PluginLane, plugin: ActivePlugin, batch: QueuedDelivery[], settled: BatchSettlements): Promise<number> {
    const count = emittedDeliveries(settled.emitted);
    if (count === 0 || (await this.parts.roomForEmits(lane, count))) return count;
    const { options } = this.parts;
    const refused = refuseEmits(batch, settled, plugin, this.parts.now(), options.random ?? Math.random, options.maxQueued);
    settled.settlements = refused.settlements;
    settled.outcomes = refused.outcomes;
    settled.emitted = [];
    options.hooks?.rateLimited?.(plugin);
    return 0;
  }

  /**
   * Makes outcomes durable (commit), counted as pending until then; if the write fails, the deliveries are tried again shortly.
   * Answers, once written, the positions of the settlements the store did not apply (commit()); undefined if the write failed.
   */
  private async writeOutcomes(lane: SettlingLane, batch: QueuedDelivery[], settlements: Settlement[], emitted: AcceptInput[], what: Unsettled): Promise<ReadonlySet<number> | undefined> {
    this.pendingCommits++;
    try {
      return await this.commit(lane, batch, settlements, emitted);
    } catch (err) {
      this.notSettled(lane, batch, what, err);
      return undefined;
    } finally {
      this.pendingCommits--;
      this.parts.schedulePump();
    }
  }

  /** Nothing of the batch was settled: its deliveries are still pending in the store; try them again shortly. */
  private notSettled(lane: SettlingLane, batch: readonly QueuedDelivery[], what: Unsettled, err: unknown): void {
    const name = lane.plugin.name;
    this.parts.options.hooks?.error?.(what === 'delivery' ? `delivery to ${name} failed before its outcome was durable` : `dead-lettering expired deliveries of ${name} failed`, err);
    for (const d of batch) this.parts.retries.schedule(d, this.parts.now() + STORE_RETRY_MS);
  }

  /**
   * Runs a batch in the sandbox and answers its settlements. It holds one of
   * the lane's slots (per-plugin concurrency) while the plugin runs, and
   * while its emits wait for room (runBatch ends it then); not until the
   * outcome is durable, which would idle the sandbox for every commit's
   * length. Partition keys and retries wait for the commit (commit()).
   */
  private async execute(lane: PluginLane, plugin: ActivePlugin, batch: QueuedDelivery[], permit: Parameters<PluginLane['breaker']['onSuccess']>[0]): Promise<BatchSettlements> {
    const { options, retiring, now: clock, monotonic } = this.parts;
    const key = plugin.spec.key;
    retiring.started(key, plugin.spec.root);
    const started = clock();
    try {
      const result = plugin.execute === undefined ? await this.runInSandbox(plugin, batch) : await plugin.execute(batch.map((d) => d.record.event));
      const now = clock();
      const settled = settleBatch(batch, result, {
        plugin, now, started, random: options.random ?? Math.random, hooks: options.hooks,
        route: this.parts.routeEmitted,
      });
      if (settled.unhealthy) lane.breaker.onFailure(permit, monotonic());
      else lane.breaker.onSuccess(permit, monotonic());
      return settled;
    } catch (err) {
      // A batch that ended with no outcome (the sandbox unavailable) must still
      // answer its permit: a half-open circuit admits no other trial until its
      // trial reports, so the lane would wait forever.
      lane.breaker.onFailure(permit, monotonic());
      lane.batchEnded();
      throw err;
    } finally {
      retiring.finished(key);
    }
  }

  /** Fresh deliveries go as the JSON text the store made: their event objects are never needed here (store/fresh-record.ts). */
  private runInSandbox(plugin: ActivePlugin, batch: QueuedDelivery[]): Promise<RunResult> {
    const { sandbox } = this.parts;
    const json = batchJson(batch);
    return json === undefined ? sandbox.run(plugin.spec, batch.map((d) => d.record.event)) : sandbox.runJson(plugin.spec, json, batch.length);
  }

  /**
   * Makes settlements durable, then acts on them: trackers, retries, partition keys, emitted deliveries.
   * Answers the positions of the settlements the store did not apply (AcceptResult.unapplied).
   */
  private async commit(lane: SettlingLane, batch: QueuedDelivery[], settlements: Settlement[], emitted: AcceptInput[]): Promise<ReadonlySet<number>> {
    const { options, retries } = this.parts;
    const created = await this.parts.writer.write(settlements, emitted);
    const unapplied = created.unapplied === undefined ? NONE_UNAPPLIED : new Set(created.unapplied);
    settlements.forEach((s, i) => {
      const d = batch[i] as QueuedDelivery;
      // Counted as a done settlement counts: the delivery is not this host's
      // to run any more (it has its outcome, or another host runs it now).
      settleTracker(d);
      if (unapplied.has(i)) {
        // Not pending here (settled or removed meanwhile, or adopted by
        // another host): forgotten, never retried here. A retry scheduled
        // anyway ran the plugin again for a delivery someone else owns.
        lane.releasePartition(d);
        options.hooks?.unapplied?.(lane.plugin, d.record, s);
        return;
      }
      if (s.kind === 'retry') {
        // The event is named: a spread copies own properties only, and a fresh record's event is a getter (store/fresh-record.ts).
        d.record = { ...d.record, event: d.record.event, attempt: s.attempt, availableAt: s.availableAt, lastError: s.error };
        retries.schedule(d, s.availableAt);
      } else {
        lane.releasePartition(d);
      }
    });
    // Every record created here is an emitted event's: they count in the emitted deliveries' room (lane-load.ts).
    this.parts.enqueue(created.created.map((record) => ({ record, admitted: false, emitted: true })));
    return unapplied;
  }
}

/** A delivery's first durable outcome counts once; later ones (after a retry) find no tracker. */
function settleTracker(d: QueuedDelivery): void {
  const tracker = d.tracker;
  if (tracker === undefined) return;
  d.tracker = undefined;
  if (--tracker.remaining === 0) tracker.onSettled(tracker.index);
}
