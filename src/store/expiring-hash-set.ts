// A set of string keys, each live until its expiry, held as 64-bit hashes in
// typed arrays: 16 bytes a slot, invisible to the garbage collector, however
// many keys a replay window holds. It answers "which expiries might belong to
// this key?"; the caller confirms a match against the database, so a hash
// collision can cost a read but never refuse a key that was not seen.
//
// Open addressing with linear probing. A slot is empty (expiry 0), removed
// (-1) or holds an expiry. Lookups stop at an empty slot only, so removing
// leaves a marker, and the table is rebuilt without the markers when the used
// slots pass three quarters of it. Expired records stay until dropExpired():
// expiry is decided against the caller's `now`, as the database decides it,
// so a record leaves memory when its row leaves the database (prune), not
// when some later `now` passed it.
//
// The hash is seeded per set at random: keys are chosen by senders (after
// their signature was verified), and a fixed hash would let one who knows it
// line keys up on one probe chain.
import { randomBytes } from 'node:crypto';

const EMPTY = 0;
const REMOVED = -1;
const MIN_CAPACITY = 64;
const MAX_LOAD = 0.75;

export class ExpiringHashSet {
  #hi: Int32Array;
  #lo: Int32Array;
  #expiry: Float64Array;
  #mask: number;
  /** Slots that are not empty: live, expired or removed. */
  #used = 0;
  readonly #seedHi: number;
  readonly #seedLo: number;
  // The last key's hash, so that no call allocates to return two numbers.
  #h1 = 0;
  #h2 = 0;

  constructor(seed: Buffer = randomBytes(8)) {
    this.#seedHi = seed.readInt32LE(0);
    this.#seedLo = seed.readInt32LE(4);
    this.#hi = new Int32Array(MIN_CAPACITY);
    this.#lo = new Int32Array(MIN_CAPACITY);
    this.#expiry = new Float64Array(MIN_CAPACITY);
    this.#mask = MIN_CAPACITY - 1;
  }

  /** Slots in use (records and removal markers): what the table's memory follows. */
  get used(): number {
    return this.#used;
  }

  get capacity(): number {
    return this.#mask + 1;
  }

  /** The expiries after `now` recorded for `key`'s hash: usually none, one for a key seen before. */
  live(key: string, now: number): number[] {
    this.#hash(key);
    const found: number[] = [];
    for (let slot = this.#h2 & this.#mask, probes = 0; probes <= this.#mask; slot = (slot + 1) & this.#mask, probes++) {
      const expiry = this.#expiry[slot] as number;
      if (expiry === EMPTY) break;
      if (expiry > now && this.#hi[slot] === this.#h1 && this.#lo[slot] === this.#h2) found.push(expiry);
    }
    return found;
  }

  /** Records `key` until `expiresAt`; the caller checked it was not live. */
  add(key: string, expiresAt: number): void {
    if (!(expiresAt > 0)) throw new RangeError('an expiry must be a positive time');
    if (this.#used + 1 > (this.#mask + 1) * MAX_LOAD) this.#rebuild(-Infinity);
    this.#hash(key);
    this.#put(this.#h1, this.#h2, expiresAt);
  }

  /** Forgets every record that expired by `now`. */
  dropExpired(now: number): void {
    this.#rebuild(now);
  }

  /** Forgets the record of `key` that expires at `expiresAt`, if there is one. */
  remove(key: string, expiresAt: number): void {
    this.#hash(key);
    for (let slot = this.#h2 & this.#mask, probes = 0; probes <= this.#mask; slot = (slot + 1) & this.#mask, probes++) {
      const expiry = this.#expiry[slot] as number;
      if (expiry === EMPTY) return;
      if (expiry === expiresAt && this.#hi[slot] === this.#h1 && this.#lo[slot] === this.#h2) {
        this.#expiry[slot] = REMOVED;
        return;
      }
    }
  }

  clear(): void {
    this.#resize(MIN_CAPACITY);
  }

  /** Into the first empty or removed slot, which ends or lies on the key's probe chain. */
  #put(h1: number, h2: number, expiresAt: number): void {
    for (let slot = h2 & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const expiry = this.#expiry[slot] as number;
      if (expiry !== EMPTY && expiry !== REMOVED) continue;
      if (expiry === EMPTY) this.#used++;
      this.#hi[slot] = h1;
      this.#lo[slot] = h2;
      this.#expiry[slot] = expiresAt;
      return;
    }
  }

  /** Keeps the records expiring after `after` in a table at most half full once they are in. */
  #rebuild(after: number): void {
    // Removal markers (-1) and empty slots (0) never count.
    const keepAfter = Math.max(after, 0);
    const hi = this.#hi;
    const lo = this.#lo;
    const expiry = this.#expiry;
    let live = 0;
    for (let slot = 0; slot < expiry.length; slot++) if ((expiry[slot] as number) > keepAfter) live++;
    let capacity = MIN_CAPACITY;
    while (capacity * 0.5 < live + 1) capacity *= 2;
    this.#resize(capacity);
    for (let slot = 0; slot < expiry.length; slot++) {
      const at = expiry[slot] as number;
      if (at > keepAfter) this.#put(hi[slot] as number, lo[slot] as number, at);
    }
  }

  #resize(capacity: number): void {
    this.#hi = new Int32Array(capacity);
    this.#lo = new Int32Array(capacity);
    this.#expiry = new Float64Array(capacity);
    this.#mask = capacity - 1;
    this.#used = 0;
  }

  /** Two 32-bit hashes of the UTF-16 code units, each a seeded multiply-rotate with MurmurHash3's finalizer. */
  #hash(key: string): void {
    let h1 = this.#seedHi;
    let h2 = this.#seedLo;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x85ebca6b);
      h1 = (h1 << 13) | (h1 >>> 19);
      h2 = Math.imul(h2 ^ c, 0xcc9e2d51);
      h2 = (h2 << 15) | (h2 >>> 17);
    }
    this.#h1 = fmix(h1 ^ key.length);
    this.#h2 = fmix(h2 ^ key.length);
  }
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
