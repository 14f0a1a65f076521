// Deliveries the engine holds for plugins that have no lane here: recovered
// from the store (a restart, an adoption, a DLQ replay) while their plugin is
// not active (uninstalled or disabled since before this engine started). They
// wait for their plugin's return, never dropped, except those with an
// `expiresat` (CONTRACT §5): those are dead-lettered as `expired` at that
// time whatever the plugin's state. Checked only when the plugin came back,
// they sat in memory and in the store past their expiry, absent from the DLQ.
//
// Nothing routes new deliveries to a plugin without a lane (routing covers
// active plugins only), so what is parked is at most what the store held
// pending for such plugins when it was loaded, less what expires.
import { expiresAtMs } from '../envelope/expiry.ts';
import { routingOf } from '../store/store.ts';
import { BinaryHeap } from './binary-heap.ts';
import { ExpiryTimer } from './expiry-timer.ts';
import type { PluginVersion } from './engine-options.ts';
import type { QueuedDelivery } from './plugin-lane.ts';

interface Expiring {
  readonly at: number;
  readonly delivery: QueuedDelivery;
}

/** One plugin's parked deliveries; its own heap of expiry times, dropped whole when the plugin returns. */
interface Parked {
  readonly deliveries: Set<QueuedDelivery>;
  readonly expiries: BinaryHeap<Expiring>;
}

/** How hooks name a plugin known here by name only: its version is not known to the engine. */
export function parkedPlugin(name: string): PluginVersion {
  return { name, spec: { key: name, version: '' } };
}

export class ParkedDeliveries {
  readonly #byPlugin = new Map<string, Parked>();
  /** The wall clock, which expiresat is on. */
  readonly #now: () => number;
  /** Gets, per plugin name, what expired: to be dead-lettered. */
  readonly #onExpired: (plugin: string, expired: QueuedDelivery[]) => void;
  readonly #timer: ExpiryTimer;

  constructor(now: () => number, onExpired: (plugin: string, expired: QueuedDelivery[]) => void) {
    this.#now = now;
    this.#onExpired = onExpired;
    this.#timer = new ExpiryTimer(now, () => this.#expire());
  }

  get size(): number {
    let n = 0;
    for (const parked of this.#byPlugin.values()) n += parked.deliveries.size;
    return n;
  }

  park(delivery: QueuedDelivery): void {
    const name = delivery.record.plugin;
    let parked = this.#byPlugin.get(name);
    if (parked === undefined) {
      parked = { deliveries: new Set(), expiries: new BinaryHeap((a, b) => a.at < b.at) };
      this.#byPlugin.set(name, parked);
    }
    parked.deliveries.add(delivery);
    const at = expiresAtMs(routingOf(delivery.record));
    if (at === undefined) return;
    parked.expiries.push({ at, delivery });
    if (at < this.#timer.armedFor) this.#aim();
  }

  /**
   * The plugin's parked deliveries, no longer parked, in journal order: as
   * recovery would have queued them with the plugin active, the earliest
   * delivery of a partition key first, whether due now or waiting for its retry.
   */
  take(plugin: string): QueuedDelivery[] {
    const parked = this.#byPlugin.get(plugin);
    if (parked === undefined) return [];
    this.#byPlugin.delete(plugin);
    const list = [...parked.deliveries];
    list.sort((a, b) => a.record.seq - b.record.seq || (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0));
    return list;
  }

  /** No timer runs after this, and none is set again. */
  stop(): void {
    this.#timer.stop();
  }

  #aim(): void {
    let earliest = Infinity;
    for (const parked of this.#byPlugin.values()) earliest = Math.min(earliest, parked.expiries.peek()?.at ?? Infinity);
    this.#timer.aim(earliest);
  }

  #expire(): void {
    const now = this.#now();
    for (const [name, parked] of this.#byPlugin) {
      const expired: QueuedDelivery[] = [];
      for (let next = parked.expiries.peek(); next !== undefined && now > next.at; next = parked.expiries.peek()) {
        parked.expiries.pop();
        if (parked.deliveries.delete(next.delivery)) expired.push(next.delivery);
      }
      if (parked.deliveries.size === 0) this.#byPlugin.delete(name);
      if (expired.length > 0) this.#onExpired(name, expired);
    }
    this.#aim();
  }
}
