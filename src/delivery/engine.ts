// The delivery engine: accepted events become durable deliveries, deliveries
// become batches in the sandbox, outcomes become durable settlements, and only
// then is anyone told (CONTRACT §6: at least once per (event, plugin)).
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { SandboxPool } from '@plexus/plugin-sdk/runtime';
import type { AcceptResult, DeliveryRecord, ReplayClaim, Store } from '../store/store.ts';
import { acceptInputs } from './accept-inputs.ts';
import { acceptedDeliveries } from './accepted-deliveries.ts';
import { Admission } from './admission.ts';
import { BatchRunner } from './batch-runner.ts';
import { DeliveryIds } from './delivery-ids.ts';
import { placeDeliveries, type DeliveryPlaces } from './delivery-placement.ts';
import { DeliveryRoutes } from './delivery-routes.ts';
import { EmitRoom } from './emit-backpressure.ts';
import type { EngineOptions } from './engine-options.ts';
import { ExpiryWatch } from './lane-expiry.ts';
import { admissionLoad, queuedIn, retryRoom } from './lane-load.ts';
import { ParkedDeliveries, parkedPlugin } from './parked-deliveries.ts';
import { PluginLane, type ActivePlugin, type OnSettled, type QueuedDelivery } from './plugin-lane.ts';
import { replayDeliveries, type ReplayClaims } from './replay-dedup.ts';
import { RetiringInstances } from './retiring-instances.ts';
import { RetryWaits } from './retry-waits.ts';
import { StoreWriter } from './store-writer.ts';
import { WakeTimer } from './wake-timer.ts';

export type { EngineHooks, EngineOptions } from './engine-options.ts';

export class DeliveryEngine {
  private readonly store: Store;
  private readonly sandbox: SandboxPool;
  private readonly options: EngineOptions;
  /** The wall clock: stored times and those compared with them (acceptedAt, availableAt, expiry). */
  private readonly now: () => number;
  /** The clock of in-memory waits (lanes: linger, rate limit, circuit, pauses; the wake timer): never steps back. */
  private readonly monotonic: () => number;
  private readonly lanes = new Map<string, PluginLane>();
  private readonly retries: RetryWaits;
  /** Dead-letters waiting deliveries at their expiresat, whatever their lane is doing (lane-expiry.ts). */
  private readonly expiries: ExpiryWatch;
  /** The one writer: accepts and settlements that arrive together share a transaction. */
  private readonly writer: StoreWriter;
  /** Which plugins an event gets deliveries for, and their ids. */
  private readonly routing: DeliveryRoutes;
  /** Swapped-out versions whose instances go after their last running batch. */
  private readonly retiring: RetiringInstances;
  /** Deliveries (recovered from the store) for plugins that are not installed or enabled now; dead-lettered at their expiresat. */
  private readonly parked: ParkedDeliveries;
  /** Where enqueue() puts deliveries: lanes, the retry timer, parked. */
  private readonly places: DeliveryPlaces;
  /** Runs the batches pump() takes and makes their outcomes (and expiries) durable. */
  private readonly batches: BatchRunner;
  /** Events admitted by accept() but not yet queued: counted against maxQueued so concurrent accepts cannot overshoot it. */
  private reserved = 0;
  private readonly admission = new Admission();
  /** Where emitting batches wait for room (emit-backpressure.ts). */
  private readonly emits: EmitRoom;
  private idleWaiters: (() => void)[] = [];
  private pumpScheduled = false;
  private readonly wake = new WakeTimer(() => this.schedulePump());
  private stopping = false;

  constructor(options: EngineOptions) {
    this.options = options;
    this.store = options.store;
    this.sandbox = options.sandbox;
    this.now = options.now ?? Date.now;
    this.monotonic = options.monotonic ?? options.now ?? (() => performance.now());
    this.routing = new DeliveryRoutes(new DeliveryIds(options.hostId ?? options.store.host));
    this.retries = new RetryWaits((due) => this.enqueue(due, true), (d) => retryRoom(this.lanes.get(d.record.plugin), d), this.now, this.monotonic);
    this.expiries = new ExpiryWatch(this.now, () => this.expireWaiting());
    // No partition key to pass on: a parked delivery has not taken its key (it has no lane to take it in).
    this.parked = new ParkedDeliveries(this.now, (plugin, expired) => this.batches.expire({ plugin: parkedPlugin(plugin), releasePartition: () => {} }, expired));
    this.places = { lanes: this.lanes, retries: this.retries, parked: this.parked };
    this.writer = new StoreWriter(options.store, options.dedupWindowMs);
    this.emits = new EmitRoom(() => this.lanes.values(), this.admission, options.maxQueued, () => this.stopping, () => this.retries.waiting);
    this.retiring = new RetiringInstances((key) => {
      this.options.hooks?.retired?.(key);
      this.sandbox.evict(key).catch((err: unknown) => this.options.hooks?.error?.(`cleanup of ${key} failed`, err));
    });
    this.batches = new BatchRunner({
      options, sandbox: this.sandbox, writer: this.writer, retries: this.retries, retiring: this.retiring, now: this.now, monotonic: this.monotonic,
      routeEmitted: (event, at) => this.routing.route(event, at, true),
      enqueue: (deliveries) => this.enqueue(deliveries),
      roomForEmits: (lane, count) => this.emits.enter(lane, count),
      releaseEmits: (count) => {
        this.emits.leave(count);
        this.releaseWaiters();
      },
      schedulePump: () => this.schedulePump(),
    });
  }

  /** Swaps the active plugins atomically. In-flight batches finish on the version they started with. */
  setPlugins(plugins: readonly ActivePlugin[]): void {
    const now = this.monotonic();
    const active = new Set(plugins.map((p) => p.name));
    for (const plugin of plugins) {
      const lane = this.lanes.get(plugin.name);
      this.retiring.activate(plugin.spec.key);
      if (!lane) {
        this.lanes.set(plugin.name, new PluginLane(plugin, now, this.expiries));
        // In journal order (enqueue claims the partition key of those waiting for their retry time).
        this.enqueue(this.parked.take(plugin.name));
      } else {
        if (lane.plugin.spec.key !== plugin.spec.key) this.retiring.retire(lane.plugin.spec.key);
        lane.update(plugin, now);
        lane.enabled = true;
      }
    }
    // A plugin that is no longer active keeps its queue (nothing accepted is dropped) but gets no batches.
    for (const [name, lane] of this.lanes) {
      if (!active.has(name) && lane.enabled) {
        lane.enabled = false;
        this.retiring.retire(lane.plugin.spec.key);
      }
    }
    this.routing.set(plugins);
    this.schedulePump();
  }

  /**
   * Version `key` is being warmed to go live again (an enable, a move back to
   * it): a batch of its earlier life that ends before the swap must not evict
   * the instances just warmed, which then ran cleanup while the version served
   * on from instances started cold. If the change does not go live, its
   * caller evicts the version (plugin-activation.ts).
   */
  keep(key: string): void {
    this.retiring.activate(key);
  }

  /** The folders of plugin versions with batches running now: a version folder must stay while its batches may need it. */
  runningRoots(): readonly string[] {
    return this.retiring.runningRoots();
  }

  /** Loads this host's unfinished deliveries, and any a stopped host left, from the store (after a restart). */
  async recover(): Promise<number> {
    const pending = await this.store.adopt({ own: true });
    this.enqueue(pending.map((record) => ({ record, admitted: false })));
    return pending.length;
  }

  /** Takes over the deliveries of hosts that stopped (a shared store); run periodically. */
  async adoptOrphans(): Promise<number> {
    if (this.stopping) return 0;
    const orphans = await this.store.adopt({ own: false });
    this.requeue(orphans);
    return orphans.length;
  }

  /**
   * Journals the events and creates their deliveries; resolves once durable.
   * `onSettled` (per event, with its position in `events`) fires once every delivery of the event has a
   * durable first outcome: the moment a broker message may be acknowledged.
   * `claims[i]`, when given, is event i's replay claim (see ReplayClaim): an
   * event whose claim is already recorded is not accepted, and its position
   * is listed in the result's `replayed`.
   * While the host holds delivery.maxQueued deliveries the accept waits for
   * room; `maxWaitMs` bounds that wait (then PLEXUS_UNAVAILABLE, nothing written).
   */
  async accept(events: readonly PlexusEvent[], onSettled?: OnSettled, claims?: readonly (ReplayClaim | undefined)[], maxWaitMs?: number): Promise<AcceptResult> {
    const { maxQueued } = this.options;
    let giveUpAt: number | undefined;
    while (this.admissionLoad() + this.reserved >= maxQueued && !this.stopping) {
      if (giveUpAt === undefined) this.options.hooks?.admissionWait?.();
      // Real time that never steps back (admission.ts): a wall clock's step would stretch the bound.
      giveUpAt ??= maxWaitMs === undefined ? Infinity : performance.now() + maxWaitMs;
      if (performance.now() >= giveUpAt) throw this.admission.refusal(maxQueued);
      await this.admission.sleep(giveUpAt);
    }
    this.reserved += events.length;
    const acceptedAt = this.now();
    const inputs = acceptInputs(events, acceptedAt, (event) => this.routing.route(event, acceptedAt), claims);
    let result: AcceptResult;
    try {
      result = await this.writer.write([], inputs);
    } finally {
      this.reserved -= events.length;
      // A failed write enqueues nothing, so no pump would wake the accepts
      // that waited on this reservation. (Woken callers re-check the bound
      // after this turn, once a successful write's deliveries are enqueued.)
      this.releaseWaiters();
    }
    if (result.duplicates > 0) this.options.hooks?.duplicates?.(result.duplicates);
    const { queued, settledNow } = acceptedDeliveries(inputs, result, onSettled);
    for (const i of settledNow) onSettled?.(i);
    this.enqueue(queued);
    return result;
  }

  /**
   * Replay of journaled events to the plugins subscribed now. Copies of one
   * idempotencykey are delivered once per plugin (replay-dedup.ts); a replay
   * read in pages passes one `claims` to every page.
   */
  async redeliver(entries: readonly { seq: number; event: PlexusEvent; acceptedAt?: number }[], claims: ReplayClaims = new Map()): Promise<number> {
    const now = this.now();
    const window = this.options.dedupWindowMs;
    const wanted = entries.map((e) => ({ seq: e.seq, deliveries: replayDeliveries(claims, e.event, e.acceptedAt, this.routing.route(e.event, now), window) }));
    const records = await this.store.redeliver(wanted.filter((e) => e.deliveries.length > 0), now);
    this.requeue(records);
    return records.length;
  }

  /** Deliveries made again outside `accept` (DLQ replay): queued like recovered ones. */
  requeue(records: readonly DeliveryRecord[]): void {
    this.enqueue(records.map((record) => ({ record, admitted: false })));
  }

  /** Per-plugin view for metrics: what waits, what runs, the circuit, and whether the lane is served (`active`) or only keeps the deliveries of a plugin disabled or removed. */
  laneStates(): { plugin: string; version: string; queued: number; inFlight: number; circuit: 'closed' | 'open' | 'half-open'; active: boolean }[] {
    const now = this.monotonic();
    return [...this.lanes.values()].map((lane) => ({ plugin: lane.plugin.name, version: lane.plugin.spec.version, queued: lane.queued, inFlight: lane.inFlight, circuit: lane.breaker.stateAt(now), active: lane.enabled }));
  }

  /** `held`: what counts against maxQueued now (admissionLoad, with accepts being written); ingress waits while it is at maxQueued. */
  get depth(): { queued: number; parked: number; retrying: number; inFlightBatches: number; held: number; maxQueued: number } {
    return { queued: this.queued(), parked: this.parked.size, retrying: this.retries.size, inFlightBatches: this.batches.inFlight, held: this.admissionLoad() + this.reserved, maxQueued: this.options.maxQueued };
  }

  /** Deliveries waiting for their retry time, per plugin (absent: none). */
  get retryingPerPlugin(): ReadonlyMap<string, number> {
    return this.retries.byPlugin;
  }

  /** Resolves when nothing is queued, scheduled or in flight (tests, shutdown). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops dispatching, lets in-flight batches run and their outcomes be written (bounded), releases waiting accepts. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    this.retries.stop();
    this.expiries.stop();
    this.parked.stop();
    this.wake.stop();
    this.admission.wakeAll();
    const deadline = this.monotonic() + timeoutMs;
    while ((this.batches.inFlight > 0 || this.batches.committing > 0) && this.monotonic() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  private queued(): number {
    return queuedIn(this.lanes.values());
  }

  /** What backpressure counts against maxQueued (lane-load.ts: egress lanes have a room of their own). */
  private admissionLoad(): number {
    return admissionLoad(this.lanes.values(), this.options.maxQueued, this.retries.waiting);
  }

  private isIdle(): boolean {
    return this.queued() === 0 && this.retries.size === 0 && this.batches.inFlight === 0 && this.batches.committing === 0;
  }

  /** `due`: the retry timer says their wait is over (on the clock that never steps back), whatever the wall clock says now. */
  private enqueue(deliveries: QueuedDelivery[], due = false): void {
    placeDeliveries(deliveries, this.places, due, this.now(), this.monotonic());
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.stopping) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    const now = this.now();
    // Lanes time their waits on this; wakeAt is in it too.
    const clock = this.monotonic();
    let wakeAt = Infinity;
    for (const lane of this.lanes.values()) {
      for (;;) {
        const taken = lane.take(clock, now);
        if (taken.expired.length > 0) this.batches.expire(lane, taken.expired);
        if (taken.rateLimited) this.options.hooks?.rateLimited?.(lane.plugin);
        if (taken.wakeAt !== undefined) wakeAt = Math.min(wakeAt, taken.wakeAt);
        if (taken.batch.length === 0 || !taken.permit) break;
        void this.batches.runBatch(lane, lane.plugin, taken.batch, taken.permit);
      }
    }
    this.releaseWaiters();
    this.wake.wakeAt(wakeAt, clock);
    if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** The expiry timer: what expired while it waited leaves its lane and is dead-lettered (durably, as take()'s expired are). */
  private expireWaiting(): void {
    for (const [lane, expired] of this.expiries.takeExpired()) this.batches.expire(lane, expired);
    // They no longer count against maxQueued.
    this.releaseWaiters();
  }

  private releaseWaiters(): void {
    if (this.admissionLoad() < this.options.maxQueued || !this.emits.full) this.admission.wakeAll();
  }
}
