// Batch sizes the delivery engine really sends: large batches stay whole
// (the Redis script chunks its variadic commands), and the hot path keeps a
// sane speed. The speed target itself (well under 50 ms per 1,000) is
// measured by bench-store.ts; the bound here only catches a pathological
// regression, such as a transaction or a round trip per event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { performance } from 'node:perf_hooks';
import type { AcceptInput } from '../../src/store/store.ts';
import { T, event, rejectsWithCode, using, type StoreFactory } from './conformance-helpers.ts';

function batch(n: number, deliveriesPerEvent: number, tag: string): AcceptInput[] {
  return Array.from({ length: n }, (_, i) => ({
    event: event(`${tag}-${i}`, 'orders.eu.created', { idempotencykey: `${tag}-${i}` }),
    acceptedAt: T,
    deliveries: Array.from({ length: deliveriesPerEvent }, (_, d) => ({ id: `${tag}-${i}-${d}`, plugin: `p${d}` })),
  }));
}

export function batchCases(factory: StoreFactory): void {
  test('a batch of 3,000 events with 2 deliveries each is accepted, settled and refused whole', using(factory, async (store) => {
    const big = batch(3000, 2, 'big');
    const { created, duplicates } = await store.accept(big, 60_000);
    assert.equal(created.length, 6000);
    assert.equal(duplicates, 0);
    assert.deepEqual(await store.depth(), { p0: 3000, p1: 3000 });
    assert.equal((await store.readJournal({ from: 0, to: T + 1, limit: 10_000 })).length, 3000);
    assert.equal((await store.accept(batch(3000, 2, 'big'), 60_000)).duplicates, 6000, 'every key is claimed');

    const conflicting = batch(3000, 2, 'other');
    conflicting[2999]?.deliveries.push({ id: 'big-0-0', plugin: 'p9' });
    await rejectsWithCode(store.accept(conflicting, 60_000), 'PLEXUS_CONFLICT');
    assert.equal((await store.readJournal({ from: 0, to: T + 1, limit: 10_000 })).length, 6000, 'the refused batch journaled nothing');

    await store.settle(created.map((d, i) => (i % 2 === 0
      ? { kind: 'done' as const, deliveryId: d.id }
      : { kind: 'dead' as const, deliveryId: d.id, attempt: 1, reason: 'permanent' as const, at: T + 1 })), [], 60_000);
    assert.deepEqual(await store.depth(), {});
    assert.equal(await store.countDlq({ plugin: 'p1' }), 3000);
    assert.equal((await store.replayDlq({}, T + 2)).length, 3000);
    assert.equal((await store.pending()).length, 3000);
  }));

  test('accept of 1,000 events and settle of 1,000 deliveries stay far from a second', using(factory, async (store) => {
    for (let round = 0; round < 3; round++) {
      const inputs = batch(1000, 1, `r${round}`);
      let start = performance.now();
      const { created } = await store.accept(inputs, 86_400_000);
      const accepted = performance.now() - start;
      start = performance.now();
      await store.settle(created.map((d) => ({ kind: 'done', deliveryId: d.id })), [], 86_400_000);
      const settled = performance.now() - start;
      assert.ok(accepted < 1000 && settled < 1000, `accept ${accepted.toFixed(1)} ms, settle ${settled.toFixed(1)} ms`);
    }
    assert.deepEqual(await store.depth(), {});
  }));
}
