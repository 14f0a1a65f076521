// The two batch writes of the delivery engine, as plain functions over the
// statement cache; the caller wraps each call in one transaction.
import type { AcceptInput, AcceptResult, DeliveryRecord, Settlement } from './store.ts';
import type { Statements } from './sqlite-statements.ts';
import { deliveryConflict } from './store-args.ts';

const INSERT_EVENT = 'INSERT INTO events (id, source, type, accepted_at, envelope) VALUES (?, ?, ?, ?, ?)';

// Claims (key, plugin) unless a live claim exists: one statement answers
// "duplicate?" and records the claim. A claim lives until accepted_at + window
// of the delivery that made it; duplicates do not extend it.
const CLAIM_DEDUP = `INSERT INTO dedup (idem_key, plugin, expires_at) VALUES (?, ?, ?)
  ON CONFLICT (idem_key, plugin) DO UPDATE SET expires_at = excluded.expires_at WHERE dedup.expires_at <= ?`;

export const INSERT_DELIVERY = `INSERT INTO deliveries (id, seq, plugin, attempt, available_at, accepted_at, last_error)
  VALUES (?, ?, ?, 0, ?, ?, NULL) ON CONFLICT (id) DO NOTHING`;

const DELETE_DELIVERY = 'DELETE FROM deliveries WHERE id = ?';
const RETRY_DELIVERY = 'UPDATE deliveries SET attempt = ?, available_at = ?, last_error = ? WHERE id = ?';

// The envelope is copied inside SQLite: dead-lettering never parses it.
const DEAD_LETTER = `INSERT OR REPLACE INTO dlq (id, seq, plugin, source, type, reason, attempts, error, accepted_at, dead_at, envelope)
  SELECT d.id, d.seq, d.plugin, e.source, e.type, ?, ?, ?, d.accepted_at, ?, e.envelope
  FROM deliveries d JOIN events e ON e.seq = d.seq WHERE d.id = ?`;

export function acceptInputs(statements: Statements, inputs: AcceptInput[], dedupWindowMs: number): AcceptResult {
  const created: DeliveryRecord[] = [];
  let duplicates = 0;
  const insertEvent = statements.sql(INSERT_EVENT);
  const claimDedup = statements.sql(CLAIM_DEDUP);
  const insertDelivery = statements.sql(INSERT_DELIVERY);
  for (const { event, acceptedAt, deliveries } of inputs) {
    const seq = Number(insertEvent.run(event.id, event.source, event.type, acceptedAt, JSON.stringify(event)).lastInsertRowid);
    const key = event.idempotencykey;
    const dedup = typeof key === 'string' && dedupWindowMs > 0;
    for (const { id, plugin } of deliveries) {
      if (dedup && Number(claimDedup.run(key, plugin, acceptedAt + dedupWindowMs, acceptedAt).changes) === 0) {
        duplicates++;
        continue;
      }
      if (Number(insertDelivery.run(id, seq, plugin, acceptedAt, acceptedAt).changes) === 0) throw deliveryConflict(id);
      created.push({ id, seq, plugin, event, attempt: 0, availableAt: acceptedAt, acceptedAt });
    }
  }
  return { created, duplicates };
}

/** A settlement for a delivery that no longer exists (already settled elsewhere) is ignored. */
export function applySettlements(statements: Statements, settlements: Settlement[]): void {
  for (const settlement of settlements) {
    switch (settlement.kind) {
      case 'done':
        statements.run(DELETE_DELIVERY, settlement.deliveryId);
        break;
      case 'retry':
        statements.run(RETRY_DELIVERY, settlement.attempt, settlement.availableAt, JSON.stringify(settlement.error), settlement.deliveryId);
        break;
      case 'dead': {
        const error = settlement.error === undefined ? null : JSON.stringify(settlement.error);
        if (statements.run(DEAD_LETTER, settlement.reason, settlement.attempt, error, settlement.at, settlement.deliveryId) > 0) {
          statements.run(DELETE_DELIVERY, settlement.deliveryId);
        }
        break;
      }
    }
  }
}
