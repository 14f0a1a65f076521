// Everything that decides WHEN a plugin gets its next batch: its priority
// queue, the partition gate (one in flight per key), its circuit breaker, its
// rate limit and its concurrency. Pure bookkeeping; the engine does the I/O.
import { expiresAtMs, isExpired } from '../envelope/expiry.ts';
import { routingOf } from '../store/store.ts';
import { MAX_TEXT_CHARS } from '../store/text-budget.ts';
import type { ActivePlugin } from './active-plugin.ts';
import { CircuitBreaker, type CircuitPermit } from './circuit-breaker.ts';
import { circuitPause } from './circuit-pause.ts';
import type { ExpiryWatch } from './lane-expiry.ts';
import { freshLingerState, holdPartialBatchUntil } from './linger.ts';
import { PartitionGate } from './partition-gate.ts';
import { priorityCost } from './priority-cost.ts';
import { PriorityScheduler } from './priority-scheduler.ts';
import { textSize, type QueuedDelivery } from './queued-delivery.ts';
import { TokenBucket } from './rate-limiter.ts';

export type { ActivePlugin, BatchExecutor } from './active-plugin.ts';
export type { OnSettled, QueuedDelivery, SettleTracker } from './queued-delivery.ts';

export interface TakenBatch {
  batch: QueuedDelivery[];
  expired: QueuedDelivery[];
  permit: CircuitPermit | undefined;
  /** When nothing could be taken because the lane is paused or lingering: when to look again. */
  wakeAt?: number;
  /** The plugin's rate limit held deliveries back this time. */
  rateLimited?: boolean;
}

export class PluginLane {
  plugin: ActivePlugin;
  enabled = true;
  inFlight = 0;
  /** Deliveries the expiry timer took out stay in place as ghosts until they reach the head (lane-expiry.ts): read it through readyCount and peekReady. */
  readonly ready = new PriorityScheduler<QueuedDelivery>();
  /** Expired ghosts still in `ready` (rare: only deliveries with an expiresat). */
  private readyGhosts = 0;
  readonly partitions = new PartitionGate<QueuedDelivery>();
  breaker: CircuitBreaker;
  private bucket: TokenBucket | undefined;
  private pausedUntil = 0;
  /** The pause waits for the end of a half-open circuit's trial batch rather than for its time. */
  private awaitingTrial = false;
  private readonly linger = freshLingerState();
  /** The text of what waits in `ready` (textSize each): a batch is full at MAX_TEXT_CHARS too. */
  private readyChars = 0;
  /** Of `queued`, the deliveries of emitted events (QueuedDelivery.emitted), in `ready` or behind a partition key. */
  emittedQueued = 0;
  /** Engine-wide; absent, a delivery expires only when take() finds it at the head. */
  private readonly expiries: ExpiryWatch | undefined;
  /** Expired ghosts still in the partition gate until their turn (releasePartition). */
  private gateGhosts = 0;

  constructor(plugin: ActivePlugin, now: number, expiries?: ExpiryWatch) {
    this.plugin = plugin;
    this.expiries = expiries;
    this.breaker = new CircuitBreaker(plugin.breaker);
    this.bucket = plugin.rateLimit ? new TokenBucket(plugin.rateLimit, now) : undefined;
  }

  /** A new version or new settings: queues and partition ownership stay. */
  update(plugin: ActivePlugin, now: number): void {
    const limitsChanged = JSON.stringify(plugin.rateLimit) !== JSON.stringify(this.plugin.rateLimit);
    const breakerChanged = JSON.stringify(plugin.breaker) !== JSON.stringify(this.plugin.breaker);
    this.plugin = plugin;
    if (limitsChanged) this.bucket = plugin.rateLimit ? new TokenBucket(plugin.rateLimit, now) : undefined;
    if (breakerChanged) this.breaker = new CircuitBreaker(plugin.breaker);
  }

  /** Deliveries held in memory waiting to run: in `ready`, and behind a busy partition key (each as heavy as a queued one). */
  get queued(): number {
    return this.readyCount + this.partitions.waiting - this.gateGhosts;
  }

  /**
   * A delivery joins the lane. It takes its partition key here, in arrival
   * order: taken when take() pops it, in priority order, a later event of a
   * key with a higher priority would take the key before an earlier one
   * (CONTRACT §5). So `ready` holds at most one delivery per key, and
   * priority orders deliveries of different keys only; the rest wait in the
   * gate until the key's owner is final (releasePartition).
   * `now`, when given, counts the delivery as an arrival of the stream (see
   * linger.ts); a delivery only moving between queues passes none. One held
   * by the gate is no arrival: it cannot join the batch a linger waits for.
   */
  enqueue(delivery: QueuedDelivery, now?: number): void {
    if (this.claimPartition(delivery) === 'wait') return;
    this.push(delivery);
    if (now !== undefined) this.linger.lastArrivalAt = now;
  }

  /** Every way into and out of the queue goes through these two, so that the linger knows how many queued deliveries are awaited. */
  private push(delivery: QueuedDelivery): void {
    const routing = routingOf(delivery.record);
    // A ghost pushed again (its dead-letter write failed) is live again where it waited.
    if (delivery.waits === 'ghost-ready') this.readyGhosts--;
    else this.ready.push(delivery, routing.priority ?? 4);
    if (routing.expiresat !== undefined) this.watchExpiry(delivery, 'ready');
    if (delivery.tracker !== undefined) this.linger.awaited++;
    if (delivery.emitted === true) this.emittedQueued++;
    this.readyChars += textSize(delivery);
  }

  private pop(): QueuedDelivery | undefined {
    if (this.readyGhosts > 0) this.dropReadyGhosts();
    const next = this.ready.pop();
    if (next?.waits !== undefined) next.waits = undefined;
    if (next?.tracker !== undefined) this.linger.awaited--;
    if (next?.emitted === true) this.emittedQueued--;
    this.readyChars -= textSize(next);
    return next;
  }

  /** Whether what waits makes a full batch: batchSize deliveries, or enough text that take() would stop short of that. */
  private holdsFullBatch(): boolean {
    return this.readyCount >= this.plugin.batchSize || this.readyChars >= MAX_TEXT_CHARS;
  }

  /**
   * Takes the next batch this lane may run now, honouring every limit.
   * `now` is the lane's clock, one that never steps back (the engine's
   * monotonic clock): every time the lane keeps (linger, rate limit, circuit,
   * pausedUntil, wakeAt) is on it. `wallNow` is the wall clock, for the
   * events' expiry times only (default `now`, for a lane driven by one clock).
   */
  take(now: number, wallNow: number = now): TakenBatch {
    const empty: TakenBatch = { batch: [], expired: [], permit: undefined };
    if (!this.enabled || this.inFlight >= this.plugin.concurrency || this.readyCount === 0) return empty;
    // At most one partial batch in flight: while it runs, newcomers gather into
    // the next one. Under a trickle (a webhook at a time) this turns many tiny
    // batches, each paying a sandbox round trip and a settle transaction, into
    // few full ones; under load the queue holds full batches and all the
    // concurrency is used. It costs no event more than one batch's wait.
    if (this.inFlight > 0 && !this.holdsFullBatch()) return empty;
    if (now < this.pausedUntil) return { ...empty, wakeAt: this.pausedUntil };
    if (!this.holdsFullBatch()) {
      const holdUntil = holdPartialBatchUntil(this.linger, this.plugin.lingerMs ?? 0, now);
      if (holdUntil !== undefined) return { ...empty, wakeAt: holdUntil };
    }
    const batch: QueuedDelivery[] = [];
    const expired: QueuedDelivery[] = [];
    let rateLimited = false;
    let chars = 0;
    while (batch.length < this.plugin.batchSize) {
      // The batch travels as one JSON text: it stops short of MAX_TEXT_CHARS (store/text-budget.ts), unless one event alone is more.
      const next = this.peekReady();
      if (!next) break;
      const size = textSize(next);
      if (batch.length > 0 && chars + size > MAX_TEXT_CHARS) break;
      const routing = routingOf(next.record);
      if (isExpired(routing, wallNow)) {
        this.pop();
        expired.push(next);
        continue;
      }
      if (this.bucket) {
        const taken = this.bucket.tryTake(priorityCost(routing.priority), now);
        if (!taken.ok) {
          // It stays at the head, where the pause is sized for its cost: pushed
          // back as a newcomer it lost its aging, and cheaper (higher priority)
          // deliveries took the refilled tokens every time it came round again.
          this.pausedUntil = now + taken.retryAfterMs;
          rateLimited = true;
          break;
        }
      }
      this.pop();
      batch.push(next);
      chars += size + 1;
    }
    if (batch.length === 0) return { ...empty, expired, rateLimited, wakeAt: this.pausedUntil > now ? this.pausedUntil : undefined };
    const permit = this.breaker.tryAcquire(now);
    if (!permit.ok) {
      // The circuit is open: nothing is failed, everything waits for the cool-down (or a trial's end).
      for (const d of batch) this.push(d);
      const pause = circuitPause(permit, now);
      this.awaitingTrial = pause.awaitingTrial;
      this.pausedUntil = pause.pausedUntil;
      return { batch: [], expired, permit: undefined, wakeAt: this.pausedUntil };
    }
    this.inFlight++;
    this.linger.lastDispatchAt = now;
    return { batch, expired, permit, rateLimited };
  }

  /** A batch of this lane is over, whatever its outcome: a circuit trial it may have been ends a pause that waited for it. */
  batchEnded(): void {
    this.inFlight--;
    if (!this.awaitingTrial) return;
    this.awaitingTrial = false;
    this.pausedUntil = 0;
  }

  /**
   * Takes the delivery's partition key, if it has one and does not own it
   * yet: on joining the lane (enqueue), and for one that waits for its retry
   * time before it can run (recovered or adopted from the store), now, as it
   * held the key before the restart: a later delivery of the key must not
   * overtake it. 'wait': the key has an owner already, and the gate holds
   * this one behind it.
   */
  claimPartition(delivery: QueuedDelivery): 'run' | 'wait' {
    const key = routingOf(delivery.record).partitionkey;
    if (delivery.admitted || key === undefined) return 'run';
    // A ghost still in the gate (its dead-letter write failed, BatchRunner retries it) is live again in its place: its key is still busy.
    if (delivery.waits === 'ghost-gate') this.gateGhosts--;
    if (delivery.waits === 'ghost-gate' || this.partitions.admit(this.plugin.name, key, delivery) === 'wait') {
      if (delivery.emitted === true) this.emittedQueued++;
      this.watchExpiry(delivery, 'gate');
      return 'wait';
    }
    delivery.admitted = true;
    return 'run';
  }

  /** The delivery's fate is final: its partition key passes to the next waiting delivery, if any. */
  releasePartition(delivery: QueuedDelivery): void {
    const key = routingOf(delivery.record).partitionkey;
    if (key === undefined || !delivery.admitted) return;
    let next = this.partitions.release(this.plugin.name, key);
    // One the expiry timer took out has left already: the key passes it by.
    while (next?.waits === 'ghost-gate') {
      next.waits = undefined;
      this.gateGhosts--;
      next = this.partitions.release(this.plugin.name, key);
    }
    if (next) {
      // Out of the gate, into `ready` (push counts it again).
      if (next.emitted === true) this.emittedQueued--;
      next.admitted = true;
      this.enqueue(next);
    }
  }

  /** What waits in `ready`, ghosts left out. */
  get readyCount(): number {
    return this.ready.size - this.readyGhosts;
  }

  /** The head of `ready`, ghosts passed by. */
  private peekReady(): QueuedDelivery | undefined {
    if (this.readyGhosts > 0) this.dropReadyGhosts();
    return this.ready.peek();
  }

  /** Ghosts at the head go now (all of them, when only ghosts are left). */
  private dropReadyGhosts(): void {
    for (let head = this.ready.peek(); head?.waits === 'ghost-ready'; head = this.ready.peek()) {
      this.ready.pop();
      head.waits = undefined;
      this.readyGhosts--;
    }
  }

  /** A delivery with an expiresat waits in `ready` or behind its key: the engine's timer is to dead-letter it there at its expiry. */
  private watchExpiry(delivery: QueuedDelivery, where: 'ready' | 'gate'): void {
    if (this.expiries === undefined) return;
    const at = expiresAtMs(routingOf(delivery.record));
    if (at === undefined) return;
    delivery.waits = where;
    if (delivery.watched === true) return;
    delivery.watched = true;
    this.expiries.add(this, delivery, at);
  }

  /** Expired: if it waits here (not running), it leaves the counts, a ghost in place, to be dead-lettered (true); it keeps a key it owns until that is durable. */
  expireWaiting(delivery: QueuedDelivery): boolean {
    if (delivery.waits === 'ready') {
      delivery.waits = 'ghost-ready';
      this.readyGhosts++;
      this.dropReadyGhosts();
      if (delivery.tracker !== undefined) this.linger.awaited--;
      this.readyChars -= textSize(delivery);
    } else if (delivery.waits === 'gate') {
      delivery.waits = 'ghost-gate';
      this.gateGhosts++;
    } else {
      return false;
    }
    if (delivery.emitted === true) this.emittedQueued--;
    return true;
  }
}

