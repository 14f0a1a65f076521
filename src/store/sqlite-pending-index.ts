// Where each pending delivery of the SQLite store lives: a bit of a batch row
// (a fresh delivery, see the batches table in sqlite-schema.ts) or a row of
// the deliveries table (retried or replayed). Fresh deliveries have no row of
// their own, so nothing in SQL finds one by id. Their records carry a handle
// (the batch and bit) that settlements bring back, so the hot path needs no
// map by id at all: a Map write per accepted delivery and a lookup per
// settled one were the largest costs of the engine's main thread.
// What must still be found by id is: rows (a small set), deliveries read back
// from the database (their records hold no live handle) and settlements
// without a handle. Accept must also refuse an id already pending: delivery
// ids are time-ordered, so an id above every id seen so far cannot be; only
// an id that is not (a clock stepped back, ids from elsewhere) makes the
// index map every pending id again, until those deliveries are settled.
//
// The database stays the truth. The index is a cache of it, valid while no
// other connection has committed (PRAGMA data_version, checked at the start
// of every write transaction, with the write lock held) and no transaction
// of ours failed half-way (the store calls invalidate()). Otherwise it is
// rebuilt from the pending rows, which costs one read of the pending work.
import type { Statements } from './sqlite-statements.ts';
import { int, text } from './sqlite-rows.ts';

/** The fresh deliveries of one journal row to one plugin, mirrored from its batches row. */
export interface Batch {
  /** Row id; 0 until the row is inserted at the end of the accept that creates it. */
  rowid: number;
  firstSeq: number;
  plugin: string;
  /** ids[i] is a delivery of event firstSeq + events[i]. */
  events: number[];
  ids: string[];
  pending: Uint8Array;
  left: number;
}

export interface BatchSlot {
  batch: Batch;
  bit: number;
}

/** A pending delivery: its bit in a batch, or 'row' for a row of the deliveries table. */
export type Location = BatchSlot | 'row';

const INSERT_BATCH = 'INSERT INTO batches (first_seq, plugin, left, pending, events, ids) VALUES (?, ?, ?, ?, ?, ?)';
const UPDATE_BATCH = 'UPDATE batches SET left = ?, pending = ? WHERE id = ?';
const DELETE_BATCH = 'DELETE FROM batches WHERE id = ?';

export function isPending(bits: Uint8Array, bit: number): boolean {
  return ((bits[bit >> 3] ?? 0) & (1 << (bit & 7))) !== 0;
}

export function parseIndexes(json: string): number[] {
  const value: unknown = JSON.parse(json);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number')) throw new TypeError('store: batches.events is not a number array');
  return value as number[];
}

export function parseIds(json: string): string[] {
  const value: unknown = JSON.parse(json);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new TypeError('store: batches.ids is not a string array');
  return value as string[];
}

export function batchBits(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError('store: batches.pending is not a blob');
  return value;
}

export class PendingIndex {
  readonly #statements: Statements;
  /** Ids pending as rows of the deliveries table. */
  readonly #rows = new Set<string>();
  /** Batches whose rows this index mirrors: a handle is live only if its batch is here. */
  readonly #batches = new Set<Batch>();
  /** Batches filled by the accept in progress, before insertBatch. */
  readonly #building = new Set<Batch>();
  /** Pending batch deliveries by id: every one whose id is ≤ #mappedUpTo (none above it). */
  readonly #byId = new Map<string, BatchSlot>();
  #mappedUpTo = '';
  /** Every id ever pending here is ≤ this one. */
  #maxId = '';
  /** Batches with bits cleared since the last flush. */
  readonly #dirty = new Set<Batch>();
  /** data_version the index reflects; undefined: rebuild before use. */
  #version: number | undefined;

  constructor(statements: Statements) {
    this.#statements = statements;
  }

  /** First thing in every write transaction that uses the index. */
  sync(): void {
    const version = this.#statements.dataVersion();
    if (version === this.#version) return;
    this.#rebuild();
    this.#version = version;
  }

  /** After a failed transaction: the index may hold changes the rollback undid. */
  invalidate(): void {
    this.#version = undefined;
    this.#dirty.clear();
    this.#building.clear();
  }

  /** Where `id` is pending, if it is; `handle` (from its record) spares the lookup when it is still live. */
  location(id: string, handle?: unknown): Location | undefined {
    if (isSlot(handle) && this.#batches.has(handle.batch) && handle.batch.ids[handle.bit] === id && isPending(handle.batch.pending, handle.bit)) return handle;
    if (this.#rows.has(id)) return 'row';
    if (id > this.#maxId) return undefined;
    if (id > this.#mappedUpTo) this.#mapAll();
    return this.#byId.get(id);
  }

  has(id: string): boolean {
    return this.location(id) !== undefined;
  }

  /**
   * Adds a delivery to a batch that insertBatch writes before the
   * transaction ends, and answers its handle; undefined when the id is
   * pending already (the caller must fail the transaction).
   */
  addToBatch(batch: Batch, id: string, eventIndex: number): BatchSlot | undefined {
    const slot: BatchSlot = { batch, bit: batch.ids.length };
    // Above every id so far: new, and left out of #byId. Otherwise it must be checked, and mapped.
    if (id > this.#maxId) this.#maxId = id;
    else if (this.has(id)) return undefined;
    else this.#byId.set(id, slot);
    this.#building.add(batch);
    batch.ids.push(id);
    batch.events.push(eventIndex);
    return slot;
  }

  insertBatch(batch: Batch): void {
    const n = batch.ids.length;
    // Every bit set, including the unused ones of the last byte: bits past n are never read.
    batch.pending = new Uint8Array((n + 7) >> 3).fill(0xff);
    batch.left = n;
    const result = this.#statements.sql(INSERT_BATCH).run(batch.firstSeq, batch.plugin, n, batch.pending, JSON.stringify(batch.events), JSON.stringify(batch.ids));
    batch.rowid = Number(result.lastInsertRowid);
    this.#building.delete(batch);
    this.#batches.add(batch);
  }

  addRow(id: string): void {
    this.#rows.add(id);
    if (id > this.#maxId) this.#maxId = id;
  }

  /** The delivery is no longer pending where the index says; for a batch, its bit is cleared (written by flush). */
  remove(id: string, location: Location): void {
    if (location === 'row') {
      this.#rows.delete(id);
      return;
    }
    const { batch, bit } = location;
    if (this.#byId.size > 0) this.#byId.delete(id);
    if (!isPending(batch.pending, bit)) return;
    batch.pending[bit >> 3] = (batch.pending[bit >> 3] ?? 0) & ~(1 << (bit & 7));
    batch.left--;
    this.#dirty.add(batch);
  }

  /** Writes the batches whose bits changed: one statement per batch, however many bits. */
  flush(): void {
    for (const batch of this.#dirty) {
      if (batch.left === 0) {
        this.#statements.run(DELETE_BATCH, batch.rowid);
        this.#batches.delete(batch);
      } else this.#statements.run(UPDATE_BATCH, batch.left, batch.pending, batch.rowid);
    }
    this.#dirty.clear();
  }

  /**
   * Maps every pending batch delivery by id: the slow path, for a lookup by
   * an id that is not above every id yet not mapped (no live handle: a
   * settlement without one, a clock that stepped back). Deliveries accepted
   * later with higher ids stay unmapped, so #byId drains as these settle.
   */
  #mapAll(): void {
    for (const batch of this.#batches) {
      batch.ids.forEach((id, bit) => {
        if (isPending(batch.pending, bit)) this.#byId.set(id, { batch, bit });
      });
    }
    for (const batch of this.#building) batch.ids.forEach((id, bit) => this.#byId.set(id, { batch, bit }));
    this.#mappedUpTo = this.#maxId;
  }

  #rebuild(): void {
    this.#rows.clear();
    this.#batches.clear();
    this.#building.clear();
    this.#byId.clear();
    this.#dirty.clear();
    let maxId = '';
    for (const row of this.#statements.sql('SELECT id, first_seq, plugin, left, pending, events, ids FROM batches').iterate()) {
      const batch: Batch = {
        rowid: int(row, 'id'), firstSeq: int(row, 'first_seq'), plugin: text(row, 'plugin'),
        events: parseIndexes(text(row, 'events')), ids: parseIds(text(row, 'ids')), pending: batchBits(row.pending), left: int(row, 'left'),
      };
      this.#batches.add(batch);
      batch.ids.forEach((id, bit) => {
        if (!isPending(batch.pending, bit)) return;
        this.#byId.set(id, { batch, bit });
        if (id > maxId) maxId = id;
      });
    }
    for (const row of this.#statements.sql('SELECT id FROM deliveries').iterate()) {
      const id = text(row, 'id');
      this.#rows.add(id);
      if (id > maxId) maxId = id;
    }
    // Ids that were pending before and are settled now may have been higher: keep the larger bound.
    if (maxId > this.#maxId) this.#maxId = maxId;
    this.#mappedUpTo = this.#maxId;
  }
}

function isSlot(handle: unknown): handle is BatchSlot {
  return typeof handle === 'object' && handle !== null && 'batch' in handle && 'bit' in handle;
}
