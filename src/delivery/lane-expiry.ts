// Dead-letters waiting deliveries at their `expiresat` (CONTRACT §5), whatever
// their lane is doing: full, paused by its rate limit or circuit, its plugin
// disabled, or the delivery not at the head of its queue or key. A lane only
// looks at its head when it takes work, so without this an expired delivery
// waited (and counted against delivery.maxQueued) until its lane moved on.
//
// Most events have no expiresat, so nothing here is on their path: only a
// delivery with one is watched, in one engine-wide min-heap of expiry times
// with one timer for the earliest. Taking a delivery out of the middle of a
// lane's FIFOs would cost O(n), so it is taken out lazily: it stays in place
// as a ghost (QueuedDelivery.waits 'ghost-…'), uncounted, and is passed by
// when it reaches the head of `ready` (PluginLane.peekReady) or of its key
// (PluginLane.releasePartition). A delivery in a running batch waits nowhere
// and is left alone.
import { BinaryHeap } from './binary-heap.ts';
import { ExpiryTimer } from './expiry-timer.ts';
import type { PluginLane, QueuedDelivery } from './plugin-lane.ts';

interface Watched {
  readonly at: number;
  readonly lane: PluginLane;
  readonly delivery: QueuedDelivery;
}

/** Engine-wide: the expiry times of waiting deliveries, earliest first, and one timer for the earliest. */
export class ExpiryWatch {
  readonly #heap = new BinaryHeap<Watched>((a, b) => a.at < b.at);
  /** The wall clock, which expiresat is on. */
  readonly #now: () => number;
  readonly #timer: ExpiryTimer;

  /** `onDue` runs when some watched delivery may have expired: it calls takeExpired(). */
  constructor(now: () => number, onDue: () => void) {
    this.#now = now;
    this.#timer = new ExpiryTimer(now, () => {
      onDue();
      this.#aim();
    });
  }

  /** Watches a delivery that waits in `lane` and expires at `at` (epoch ms). */
  add(lane: PluginLane, delivery: QueuedDelivery, at: number): void {
    if (this.#timer.stopped) return;
    this.#heap.push({ at, lane, delivery });
    if (at < this.#timer.armedFor) this.#aim();
  }

  /** Takes every expired delivery that still waits out of its lane, per lane: they are to be dead-lettered as `expired`. */
  takeExpired(): Map<PluginLane, QueuedDelivery[]> {
    const now = this.#now();
    const byLane = new Map<PluginLane, QueuedDelivery[]>();
    for (let next = this.#heap.peek(); next !== undefined && now > next.at; next = this.#heap.peek()) {
      this.#heap.pop();
      next.delivery.watched = false;
      if (!next.lane.expireWaiting(next.delivery)) continue;
      const list = byLane.get(next.lane);
      if (list === undefined) byLane.set(next.lane, [next.delivery]);
      else list.push(next.delivery);
    }
    return byLane;
  }

  /** No timer runs after this, and none is set again. */
  stop(): void {
    this.#timer.stop();
  }

  #aim(): void {
    this.#timer.aim(this.#heap.peek()?.at ?? Infinity);
  }
}
