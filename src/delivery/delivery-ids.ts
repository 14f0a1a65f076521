// Delivery ids that sort by creation time. Random (v4) UUIDs land all over
// the store's B-trees and cost a page split per insert; time-ordered ids
// append, which nearly halves the cost of accepting an event on SQLite.
// Layout (src/store/host-ids.ts): 12 hex of milliseconds, the host id (hex;
// random per engine when the host has none), 6 hex of a per-engine counter.
// The host id keeps ids of hosts sharing a store apart, and tells a shared
// store which host created a delivery, at no cost (see Store.adopt).
//
// Built as one cached prefix plus the counter: an id is then a two-piece
// string that V8 flattens cheaply, where a four-piece template made every
// Map lookup by id (the SQLite store's pending index) several times slower.
import { isHostId, newHostId } from '../store/host-ids.ts';

export class DeliveryIds {
  private readonly node: string;
  private counter = 0;
  /** The time and node part of the last id: thousands of ids share each millisecond. */
  private lastMs = -1;
  private prefix = '';

  constructor(hostId: string = newHostId()) {
    if (!isHostId(hostId)) throw new TypeError(`a host id is 8-32 lowercase hex digits, got ${JSON.stringify(hostId)}`);
    this.node = hostId;
  }

  next(now: number): string {
    if (now !== this.lastMs) {
      this.lastMs = now;
      this.prefix = `${now.toString(16).padStart(12, '0')}-${this.node}-`;
    }
    this.counter = (this.counter + 1) & 0xffffff;
    return this.prefix + this.counter.toString(16).padStart(6, '0');
  }
}
