// Where each pending delivery of the SQLite store lives: a bit of a batch row
// (a fresh delivery, see the batches table in sqlite-schema.ts) or a row of
// the deliveries table (retried or replayed). Fresh deliveries have no row of
// their own, so nothing in SQL finds one by id; this in-memory map does, for
// settle (which bit to clear) and for accept (is the id already pending?).
//
// The database stays the truth. The map is a cache of it, valid while no
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
  readonly #locations = new Map<string, Location>();
  /** Batches with bits cleared since the last flush. */
  readonly #dirty = new Set<Batch>();
  /** data_version the map reflects; undefined: rebuild before use. */
  #version: number | undefined;

  constructor(statements: Statements) {
    this.#statements = statements;
  }

  /** First thing in every write transaction that uses the index. */
  sync(): void {
    const row = this.#statements.sql('PRAGMA data_version').get();
    const version = row === undefined ? -1 : int(row, 'data_version');
    if (version === this.#version) return;
    this.#rebuild();
    this.#version = version;
  }

  /** After a failed transaction: the map may hold changes the rollback undid. */
  invalidate(): void {
    this.#version = undefined;
    this.#dirty.clear();
  }

  location(id: string): Location | undefined {
    return this.#locations.get(id);
  }

  has(id: string): boolean {
    return this.#locations.has(id);
  }

  /**
   * Registers a delivery of a batch whose row insertBatch writes before the
   * transaction ends. False when the id is pending already: the caller must
   * fail the transaction, whose abort invalidates the map this overwrote
   * (one lookup per new id instead of two, on the hottest path).
   */
  addToBatch(batch: Batch, id: string, eventIndex: number): boolean {
    const size = this.#locations.size;
    this.#locations.set(id, { batch, bit: batch.ids.length });
    if (this.#locations.size === size) return false;
    batch.ids.push(id);
    batch.events.push(eventIndex);
    return true;
  }

  insertBatch(batch: Batch): void {
    const n = batch.ids.length;
    // Every bit set, including the unused ones of the last byte: bits past n are never read.
    batch.pending = new Uint8Array((n + 7) >> 3).fill(0xff);
    batch.left = n;
    const result = this.#statements.sql(INSERT_BATCH).run(batch.firstSeq, batch.plugin, n, batch.pending, JSON.stringify(batch.events), JSON.stringify(batch.ids));
    batch.rowid = Number(result.lastInsertRowid);
  }

  addRow(id: string): void {
    this.#locations.set(id, 'row');
  }

  /** The delivery is no longer pending where the index says; for a batch, its bit is cleared (written by flush). */
  remove(id: string, location: Location): void {
    this.#locations.delete(id);
    if (location === 'row') return;
    const { batch, bit } = location;
    if (!isPending(batch.pending, bit)) return;
    batch.pending[bit >> 3] = (batch.pending[bit >> 3] ?? 0) & ~(1 << (bit & 7));
    batch.left--;
    this.#dirty.add(batch);
  }

  /** Writes the batches whose bits changed: one statement per batch, however many bits. */
  flush(): void {
    for (const batch of this.#dirty) {
      if (batch.left === 0) this.#statements.run(DELETE_BATCH, batch.rowid);
      else this.#statements.run(UPDATE_BATCH, batch.left, batch.pending, batch.rowid);
    }
    this.#dirty.clear();
  }

  #rebuild(): void {
    this.#locations.clear();
    this.#dirty.clear();
    for (const row of this.#statements.sql('SELECT id, first_seq, plugin, left, pending, events, ids FROM batches').iterate()) {
      const batch: Batch = {
        rowid: int(row, 'id'), firstSeq: int(row, 'first_seq'), plugin: text(row, 'plugin'),
        events: parseIndexes(text(row, 'events')), ids: parseIds(text(row, 'ids')), pending: batchBits(row.pending), left: int(row, 'left'),
      };
      batch.ids.forEach((id, bit) => {
        if (isPending(batch.pending, bit)) this.#locations.set(id, { batch, bit });
      });
    }
    for (const row of this.#statements.sql('SELECT id FROM deliveries').iterate()) this.#locations.set(text(row, 'id'), 'row');
  }
}
