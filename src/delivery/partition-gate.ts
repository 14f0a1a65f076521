// Per-partition ordering (CONTRACT §5 `partitionkey`, REQ-T257): at most one
// event in flight per (plugin, partition key); later events with the same key
// wait in arrival order; other keys, other plugins and events without a key
// are not held back. "In flight" lasts until the event's fate is final (acked
// or dead-lettered): releasing before a scheduled retry would let the next
// event overtake the one being retried.
// The gate is in one host's memory: hosts sharing a Redis store do not
// coordinate keys (README.md, "Partition keys").
import { FifoQueue } from './fifo-queue.ts';

export type GateDecision = 'run' | 'wait';

export class PartitionGate<T> {
  // plugin → partition key → waiting items; a lane's presence means one is in flight.
  readonly #lanes = new Map<string, Map<string, FifoQueue<T>>>();
  /** Items held across every lane: they live in memory like a queue's, so backpressure counts them (DeliveryEngine.admissionLoad). */
  #waiting = 0;

  /** 'run': the caller starts `item` now. 'wait': the gate holds it until `release` hands it back. */
  admit(pluginKey: string, partitionKey: string | undefined, item: T): GateDecision {
    if (partitionKey === undefined) return 'run';
    let plugin = this.#lanes.get(pluginKey);
    if (!plugin) this.#lanes.set(pluginKey, (plugin = new Map()));
    const waiting = plugin.get(partitionKey);
    if (!waiting) {
      plugin.set(partitionKey, new FifoQueue());
      return 'run';
    }
    waiting.push(item);
    this.#waiting++;
    return 'wait';
  }

  /**
   * Ends the in-flight event of the lane. Returns the next waiting item, which
   * is now in flight and must be started by the caller, or undefined when the
   * lane is idle (and forgotten, so memory follows the busy keys only).
   * Releasing a lane that has nothing in flight is a bug in the caller: it would break ordering, so it throws.
   */
  release(pluginKey: string, partitionKey: string | undefined): T | undefined {
    if (partitionKey === undefined) return undefined;
    const plugin = this.#lanes.get(pluginKey);
    const waiting = plugin?.get(partitionKey);
    if (!plugin || !waiting) throw new Error(`partition gate: release of idle lane (${pluginKey}, ${partitionKey})`);
    if (waiting.size > 0) {
      this.#waiting--;
      return waiting.shift();
    }
    plugin.delete(partitionKey);
    if (plugin.size === 0) this.#lanes.delete(pluginKey);
    return undefined;
  }

  isBusy(pluginKey: string, partitionKey: string): boolean {
    return this.#lanes.get(pluginKey)?.has(partitionKey) ?? false;
  }

  waitingCount(pluginKey: string, partitionKey: string): number {
    return this.#lanes.get(pluginKey)?.get(partitionKey)?.size ?? 0;
  }

  /** Items held behind a busy key, over all lanes. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Busy (plugin, key) lanes: for metrics and to check memory stays bounded by them. */
  get busyLanes(): number {
    let lanes = 0;
    for (const plugin of this.#lanes.values()) lanes += plugin.size;
    return lanes;
  }

  /** Forgets a plugin (disabled, uninstalled); returns its waiting items, oldest first per key, to be requeued or nacked. */
  removePlugin(pluginKey: string): T[] {
    const plugin = this.#lanes.get(pluginKey);
    this.#lanes.delete(pluginKey);
    const items = plugin ? [...plugin.values()].flatMap((waiting) => waiting.drain()) : [];
    this.#waiting -= items.length;
    return items;
  }
}
