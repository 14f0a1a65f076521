// The two batch writes of the delivery engine, as plain functions over the
// statement cache and the pending index; the caller wraps each call in one
// transaction. The hot path writes per batch, not per event: one journal row,
// one batches row per plugin, and settling 'done' clears bits that the index
// writes back once per batch (sqlite-pending-index.ts). Only the exceptions,
// a retry or a dead letter, cost rows of their own.
import type { AcceptInput, AcceptResult, DeliveryRecord, EventRouting, Settlement } from './store.ts';
import { FreshRecord, routingFrom } from './fresh-record.ts';
import type { Statements } from './sqlite-statements.ts';
import { appendChunk, Chunks, type Entry } from './sqlite-chunks.ts';
import type { Batch, Location, PendingIndex } from './sqlite-pending-index.ts';
import { int, text } from './sqlite-rows.ts';
import { checkTtl, deliveryConflict } from './store-args.ts';
import type { SeenKeys } from './sqlite-seen.ts';
import { storedKey } from './sqlite-sender-keys.ts';

/** What the write paths share: statements, the index of pending deliveries and the replay keys. */
export interface Writer {
  statements: Statements;
  index: PendingIndex;
  seen: SeenKeys;
}

// Claims (key, plugin) unless a live claim exists: one statement answers
// "duplicate?" and records the claim. A claim lives until accepted_at + window
// of the delivery that made it; duplicates do not extend it.
const CLAIM_DEDUP = `INSERT INTO dedup (idem_key, plugin, expires_at) VALUES (?, ?, ?)
  ON CONFLICT (idem_key, plugin) DO UPDATE SET expires_at = excluded.expires_at WHERE dedup.expires_at <= ?`;

const INSERT_ROW = `INSERT INTO deliveries (id, seq, plugin, attempt, available_at, accepted_at, last_error)
  VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`;
const RETRY_ROW = 'UPDATE deliveries SET attempt = ?, available_at = ?, last_error = ? WHERE id = ?';
const DELETE_ROW = 'DELETE FROM deliveries WHERE id = ?';
const READ_ROW = 'SELECT seq, plugin, accepted_at FROM deliveries WHERE id = ?';
const DEAD_LETTER = `INSERT OR REPLACE INTO dlq (id, seq, plugin, source, type, reason, attempts, error, accepted_at, dead_at, envelope)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const NO_BITS = new Uint8Array(0);

/**
 * Call inside a transaction. A pending delivery of its own (retried, replayed): refused if the id is pending already.
 * `moved`: the delivery just left its batch (a retry), so only the deliveries table can hold its id.
 */
export function insertRow(writer: Writer, id: string, seq: number, plugin: string, attempt: number, availableAt: number, acceptedAt: number, lastError: string | null, moved = false): void {
  if ((!moved && writer.index.has(id)) || writer.statements.run(INSERT_ROW, id, seq, plugin, attempt, availableAt, acceptedAt, lastError) === 0) throw deliveryConflict(id);
  writer.index.addRow(id);
}

/** `dropped`: deliveries whose settlement did not apply in this transaction; inputs they caused are left out (AcceptInput.cause). */
export function acceptInputs(writer: Writer, given: readonly AcceptInput[], dedupWindowMs: number, dropped?: ReadonlySet<string>): AcceptResult {
  const created: DeliveryRecord[] = [];
  let duplicates = 0;
  const { inputs, replayed } = admitClaims(writer.seen, given, dropped);
  if (inputs.length === 0) return replayed === undefined ? { created, duplicates } : { created, duplicates, replayed };
  const { statements, index } = writer;
  const { firstSeq, eventJsons } = appendChunk(statements, inputs);
  const batches = new Map<string, Batch>();
  const claimDedup = statements.sql(CLAIM_DEDUP);
  inputs.forEach(({ event, acceptedAt, deliveries }, i) => {
    const seq = firstSeq + i;
    const key = typeof event.idempotencykey === 'string' ? storedKey(event.idempotencykey) : undefined;
    const dedup = key !== undefined && dedupWindowMs > 0;
    let routing: EventRouting | undefined;
    for (let j = 0; j < deliveries.length; j++) {
      const { id, plugin } = deliveries[j] as { id: string; plugin: string };
      if (dedup && Number(claimDedup.run(key, plugin, acceptedAt + dedupWindowMs, acceptedAt).changes) === 0) {
        duplicates++;
        continue;
      }
      let batch = batches.get(plugin);
      if (batch === undefined) {
        batch = { rowid: 0, firstSeq, plugin, events: [], ids: [], pending: NO_BITS, left: 0 };
        batches.set(plugin, batch);
      }
      // Refused if pending already, including earlier in this batch.
      const handle = index.addToBatch(batch, id, i);
      if (handle === undefined) throw deliveryConflict(id);
      routing ??= routingFrom(event);
      created.push(new FreshRecord(id, seq, plugin, acceptedAt, eventJsons[i] as string, routing, handle));
    }
  });
  for (const batch of batches.values()) index.insertBatch(batch);
  return replayed === undefined ? { created, duplicates } : { created, duplicates, replayed };
}

/**
 * Records each input's replay claim, in order; an input whose key is already recorded is left out (and reported).
 * One whose cause is `dropped` is left out before its claim is looked at, and not reported.
 */
function admitClaims(seen: SeenKeys, inputs: readonly AcceptInput[], dropped: ReadonlySet<string> | undefined): { inputs: readonly AcceptInput[]; replayed: number[] | undefined } {
  const drops = (input: AcceptInput): boolean => dropped !== undefined && input.cause !== undefined && dropped.has(input.cause);
  if (!inputs.some((input) => input.claim !== undefined || drops(input))) return { inputs, replayed: undefined };
  const admitted: AcceptInput[] = [];
  const replayed: number[] = [];
  inputs.forEach((input, i) => {
    if (drops(input)) return;
    if (input.claim !== undefined && seen.record(input.claim.key, checkTtl(input.claim.ttlMs), input.acceptedAt)) replayed.push(i);
    else admitted.push(input);
  });
  return { inputs: admitted, replayed: replayed.length > 0 ? replayed : undefined };
}

/** The journal entry a pending delivery needs. Prune keeps it, so its absence means a corrupt store. */
function entryOf(chunks: Chunks, seq: number): Entry {
  const entry = chunks.entry(seq);
  if (entry === undefined) throw new TypeError(`store: journal entry ${seq} of a pending delivery is missing`);
  return entry;
}

interface Located {
  seq: number;
  plugin: string;
  acceptedAt: number | undefined;
}

function locate(statements: Statements, id: string, location: Location): Located {
  if (location !== 'row') return { seq: location.batch.firstSeq + (location.batch.events[location.bit] ?? 0), plugin: location.batch.plugin, acceptedAt: undefined };
  const row = statements.sql(READ_ROW).get(id);
  if (row === undefined) throw new TypeError(`store: pending delivery ${id} has no row`);
  return { seq: int(row, 'seq'), plugin: text(row, 'plugin'), acceptedAt: int(row, 'accepted_at') };
}

function remove(writer: Writer, id: string, location: Location): void {
  if (location === 'row') writer.statements.run(DELETE_ROW, id);
  writer.index.remove(id, location);
}

/**
 * Call inside a transaction. A settlement for a delivery that is not pending
 * (already settled elsewhere) is ignored; answers the positions of those
 * (AcceptResult.unapplied), or undefined when every settlement applied.
 */
export function applySettlements(writer: Writer, settlements: readonly Settlement[]): number[] | undefined {
  const { statements, index } = writer;
  const chunks = new Chunks(statements);
  let unapplied: number[] | undefined;
  for (let i = 0; i < settlements.length; i++) {
    const settlement = settlements[i] as Settlement;
    const id = settlement.deliveryId;
    const location = index.location(id, settlement.handle);
    if (location === undefined) {
      (unapplied ??= []).push(i);
      continue;
    }
    switch (settlement.kind) {
      case 'done':
        remove(writer, id, location);
        break;
      case 'retry': {
        const error = JSON.stringify(settlement.error);
        if (location === 'row') {
          statements.run(RETRY_ROW, settlement.attempt, settlement.availableAt, error, id);
          break;
        }
        // Out of its batch into a row of its own, which keeps attempt, time and error.
        const { seq, plugin } = locate(statements, id, location);
        const entry = entryOf(chunks, seq);
        remove(writer, id, location);
        insertRow(writer, id, seq, plugin, settlement.attempt, settlement.availableAt, entry.acceptedAt, error, true);
        break;
      }
      case 'dead': {
        const { seq, plugin, acceptedAt } = locate(statements, id, location);
        const entry = entryOf(chunks, seq);
        const error = settlement.error === undefined ? null : JSON.stringify(settlement.error);
        statements.run(DEAD_LETTER, id, seq, plugin, entry.event.source, entry.event.type, settlement.reason, settlement.attempt, error,
          acceptedAt ?? entry.acceptedAt, settlement.at, JSON.stringify(entry.event));
        remove(writer, id, location);
        break;
      }
    }
  }
  return unapplied;
}
