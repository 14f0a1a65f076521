// Deliveries waiting for their retry time (retry-timer.ts), counted by the
// room they take in memory. They live in memory like queued ones, with
// their event's text: uncounted, a plugin failing part of a steady stream
// (too few failures to open its circuit) held rate x failure share x its
// whole backoff in memory while ingress went on at full speed, past
// delivery.maxQueued and without bound. Each counts where it counted while
// queued (lane-load.ts): with ingress, in the emitted deliveries' room, or
// in the egress room.
import type { QueuedDelivery } from './queued-delivery.ts';
import { RetryTimer } from './retry-timer.ts';

export type RetryRoom = 'ingress' | 'emitted' | 'egress';

/** How many deliveries wait for their retry time, per room. */
export type RetryCounts = Readonly<Record<RetryRoom, number>>;

export class RetryWaits {
  private readonly timer: RetryTimer<{ delivery: QueuedDelivery; room: RetryRoom }>;
  private readonly roomOf: (delivery: QueuedDelivery) => RetryRoom;
  private readonly counts: Record<RetryRoom, number> = { ingress: 0, emitted: 0, egress: 0 };
  /** Per plugin, for the operator who sees the host full of retries and asks whose (plexus_plugin_retrying_deliveries). */
  private readonly perPlugin = new Map<string, number>();

  /** `roomOf` is asked once, when a delivery starts waiting; it leaves that room when it is due. */
  constructor(onDue: (deliveries: QueuedDelivery[]) => void, roomOf: (delivery: QueuedDelivery) => RetryRoom, now: () => number, monotonic?: () => number) {
    this.roomOf = roomOf;
    this.timer = new RetryTimer((due) => {
      const deliveries = new Array<QueuedDelivery>(due.length);
      for (let i = 0; i < due.length; i++) {
        const { delivery, room } = due[i] as { delivery: QueuedDelivery; room: RetryRoom };
        this.counts[room]--;
        this.count(delivery.record.plugin, -1);
        deliveries[i] = delivery;
      }
      onDue(deliveries);
    }, now, monotonic);
  }

  get size(): number {
    return this.timer.size;
  }

  get waiting(): RetryCounts {
    return this.counts;
  }

  /** How many wait, per plugin; a plugin none of whose deliveries waits is absent. */
  get byPlugin(): ReadonlyMap<string, number> {
    return this.perPlugin;
  }

  /** Hands `delivery` back once the wall-clock time `at` is reached (RetryTimer.schedule). */
  schedule(delivery: QueuedDelivery, at: number): void {
    const room = this.roomOf(delivery);
    this.counts[room]++;
    this.count(delivery.record.plugin, 1);
    this.timer.schedule({ delivery, room }, at);
  }

  private count(plugin: string, by: number): void {
    const n = (this.perPlugin.get(plugin) ?? 0) + by;
    if (n > 0) this.perPlugin.set(plugin, n);
    else this.perPlugin.delete(plugin);
  }

  stop(): void {
    this.timer.stop();
  }
}
