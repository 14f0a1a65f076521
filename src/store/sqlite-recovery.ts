// What is still to be delivered, read from the database itself (not from the
// pending index, which only write transactions keep in step): the set bits of
// every batch and every row of the deliveries table. pending() runs once per
// start and depth() for metrics, so parsing rows here is affordable.
import type { DeliveryRecord } from './store.ts';
import type { Statements } from './sqlite-statements.ts';
import { Chunks } from './sqlite-chunks.ts';
import { batchBits, isPending, parseIds, parseIndexes } from './sqlite-pending-index.ts';
import { int, text, toDelivery } from './sqlite-rows.ts';
import { deliveryOrder } from './record-order.ts';

const BATCHES = 'SELECT first_seq, plugin, pending, events, ids FROM batches ORDER BY first_seq';
const ROWS = 'SELECT id, seq, plugin, attempt, available_at, accepted_at, last_error FROM deliveries ORDER BY seq';

/** Every pending delivery with its event, oldest event first, then by id. One without its journal entry is skipped: it cannot be delivered. */
export function pending(statements: Statements): DeliveryRecord[] {
  // One read transaction: batches and rows from the same snapshot, so a
  // delivery moving from one to the other under a concurrent writer is seen once.
  statements.sql('BEGIN').run();
  try {
    const chunks = new Chunks(statements);
    const records: DeliveryRecord[] = [];
    for (const row of statements.sql(BATCHES).iterate()) {
      const firstSeq = int(row, 'first_seq');
      const plugin = text(row, 'plugin');
      const bits = batchBits(row.pending);
      const events = parseIndexes(text(row, 'events'));
      parseIds(text(row, 'ids')).forEach((id, bit) => {
        if (!isPending(bits, bit)) return;
        const entry = chunks.entry(firstSeq + (events[bit] ?? 0));
        if (entry !== undefined) records.push({ id, seq: entry.seq, plugin, event: entry.event, attempt: 0, availableAt: entry.acceptedAt, acceptedAt: entry.acceptedAt });
      });
    }
    for (const row of statements.sql(ROWS).iterate()) {
      const entry = chunks.entry(int(row, 'seq'));
      if (entry !== undefined) records.push(toDelivery(row, entry.event));
    }
    return records.sort(deliveryOrder);
  } finally {
    statements.sql('COMMIT').run();
  }
}

/** Pending deliveries per plugin; a plugin with none is absent. */
export function depth(statements: Statements): Record<string, number> {
  const rows = statements.sql(`SELECT plugin, sum(n) AS n FROM (
    SELECT plugin, left AS n FROM batches UNION ALL SELECT plugin, 1 AS n FROM deliveries
  ) GROUP BY plugin`).all();
  return Object.fromEntries(rows.map((row) => [text(row, 'plugin'), int(row, 'n')]));
}
