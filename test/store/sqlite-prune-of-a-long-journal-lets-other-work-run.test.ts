// Retention prunes an hour of journal at a time (host.ts), and pruning means
// parsing every envelope of that hour (~2 µs each): at 1,000 events/s, 3.6M
// envelopes. Done in one transaction, the SQLite store's prune held the event
// loop for all of them (1M envelopes: ~1.8 s here), so webhooks, broker
// acks and the sandbox waited. It now prunes a group of rows per
// transaction with a turn of the event loop between, and each group decides
// afresh which events pending deliveries need.
import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import { test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { AcceptInput } from '../../src/store/store.ts';
import { T, event, withDatabaseFile } from './conformance-helpers.ts';

const EVENTS = 60_000;
const PER_ACCEPT = 500;
const RETENTION = { journalMs: 1_000, dlqMs: 1_000 };

test('a prune of a long journal gives the event loop turns, and keeps what a delivery created meanwhile needs', () => withDatabaseFile(async (path) => {
  const store = SqliteStore.open(path);
  try {
    for (let n = 0; n < EVENTS; n += PER_ACCEPT) {
      const inputs: AcceptInput[] = [];
      for (let i = n; i < n + PER_ACCEPT; i++) inputs.push({ event: event(`e${i}`), acceptedAt: T + i, deliveries: [] });
      await store.accept(inputs, 0);
    }
    const now = T + EVENTS + RETENTION.journalMs;
    let turns = 0;
    let done = false;
    const pruning = store.prune(RETENTION, now).finally(() => { done = true; });
    // A replay of the newest old event while the prune runs: its group has not been pruned yet.
    await turn();
    assert.equal(done, false, 'the prune has left the event loop a turn');
    const [replayed] = await store.redeliver([{ seq: EVENTS, deliveries: [{ id: 'replay-1', plugin: 'a' }] }], now);
    assert.equal(replayed?.event.id, `e${EVENTS - 1}`);
    while (!done) {
      turns++;
      await turn();
    }
    const pruned = await pruning;
    assert.ok(turns > 1, `the prune gave the event loop several turns (${turns})`);
    assert.deepEqual(pruned, { journal: EVENTS - 1, dlq: 0, dedup: 0 });
    const pending = await store.pending();
    assert.deepEqual(pending.map((d) => [d.id, d.event.id]), [['replay-1', `e${EVENTS - 1}`]], 'the replayed delivery keeps its event');
    assert.deepEqual((await store.readJournal({ from: 0, limit: 10 })).map((e) => e.seq), [EVENTS]);
  } finally {
    await store.close();
  }
}));

test('a store closed while it prunes stops pruning without an error', async () => {
  // In memory: closing does not wait for a checkpointer thread, so it lands between two groups.
  const store = SqliteStore.open(':memory:');
  for (let n = 0; n < EVENTS; n += PER_ACCEPT) {
    const inputs: AcceptInput[] = [];
    for (let i = n; i < n + PER_ACCEPT; i++) inputs.push({ event: event(`e${i}`), acceptedAt: T + i, deliveries: [] });
    await store.accept(inputs, 0);
  }
  const pruning = store.prune(RETENTION, T + EVENTS + RETENTION.journalMs);
  await turn();
  await store.close();
  const pruned = await pruning;
  assert.ok(pruned.journal > 0 && pruned.journal < EVENTS, `stopped part way (${pruned.journal})`);
});
