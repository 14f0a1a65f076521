// accept (journal, deliveries, dedup, atomicity), pending and redeliver.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR, T, event, ids, input, rejectsWithCode, stored, using, type StoreFactory } from './conformance-helpers.ts';
import { settleCases } from './conformance-settle.ts';

export function deliveryCases(factory: StoreFactory): void {
  test('accept journals every event with an increasing seq and creates its deliveries', using(factory, async (store) => {
    const [e1, e2, e3] = [event('e1'), event('e2', 'payments.done'), event('e3')];
    const first = await store.accept([input(e1, T, [['d1', 'a'], ['d2', 'b']]), input(e2, T, [['d3', 'a']]), input(e3, T, [])], 60_000);
    assert.equal(first.duplicates, 0);
    assert.deepEqual(ids(first.created), ['d1', 'd2', 'd3']);
    const [d1, d2, d3] = stored(first.created);
    assert.deepEqual(d1, { id: 'd1', seq: d1?.seq, plugin: 'a', event: e1, attempt: 0, availableAt: T, acceptedAt: T });
    assert.equal(d2?.seq, d1?.seq);
    assert.ok((d3?.seq ?? 0) > (d1?.seq ?? 0));

    const journal = await store.readJournal({ from: 0, to: T + 1, limit: 10 });
    assert.deepEqual(journal.map((j) => j.event), [e1, e2, e3], 'an event without deliveries is journaled too');
    assert.ok(journal.every((j, i) => j.acceptedAt === T && (i === 0 || j.seq > (journal[i - 1]?.seq ?? Infinity))));

    const second = await store.accept([input(event('e4'), T + 1, [['d4', 'a']])], 60_000);
    assert.ok((second.created[0]?.seq ?? 0) > (journal[2]?.seq ?? Infinity), 'seq keeps growing across batches');
    assert.deepEqual(await store.pending(), stored([...first.created, ...second.created]));
  }));

  test('adopt({ own: true }) after a restart answers every pending delivery of a store one host uses', using(factory, async (store) => {
    await store.accept([input(event('e1'), T, [['d1', 'a'], ['d2', 'b']]), input(event('e2'), T + 1, [['d3', 'a']])], 60_000);
    await store.settle([{ kind: 'done', deliveryId: 'd2' }], [], 60_000);
    assert.deepEqual(stored(await store.adopt({ own: true })), stored(await store.pending()));
    assert.deepEqual(ids(await store.adopt({ own: true })), ['d1', 'd3']);
  }));

  test('the same idempotency key for the same plugin inside the window is a duplicate', using(factory, async (store) => {
    const keyed = (id: string) => event(id, 'orders.eu.created', { idempotencykey: 'k' });
    const first = await store.accept([input(keyed('e1'), T, [['d1', 'a'], ['d2', 'b']])], 1000);
    assert.deepEqual([ids(first.created), first.duplicates], [['d1', 'd2'], 0]);

    const again = await store.accept([input(keyed('e2'), T + 999, [['d3', 'a'], ['d4', 'c']])], 1000);
    assert.deepEqual([ids(again.created), again.duplicates], [['d4'], 1], 'plugin a already had key k; plugin c had not');

    const later = await store.accept([input(keyed('e3'), T + 1000, [['d5', 'a']])], 1000);
    assert.deepEqual([ids(later.created), later.duplicates], [['d5'], 0], 'the window of the first acceptance has ended');

    const renewed = await store.accept([input(keyed('e4'), T + 1999, [['d6', 'a']])], 1000);
    assert.deepEqual([ids(renewed.created), renewed.duplicates], [[], 1], 'the second acceptance opened a new window');

    const journal = await store.readJournal({ from: 0, to: T + 10_000, limit: 10 });
    assert.deepEqual(journal.map((j) => j.event.id), ['e1', 'e2', 'e3', 'e4'], 'duplicates are journaled; only their deliveries are skipped');
    assert.deepEqual(ids(await store.pending()), ['d1', 'd2', 'd4', 'd5']);
  }));

  test('a duplicate inside one batch is caught, and events without a key are never deduplicated', using(factory, async (store) => {
    const keyed = (id: string, key: string) => event(id, 'orders.eu.created', { idempotencykey: key });
    const batch = await store.accept([
      input(keyed('e1', 'k'), T, [['d1', 'a']]),
      input(keyed('e2', 'k'), T, [['d2', 'a']]),
      input(event('e3'), T, [['d3', 'a']]),
      input(event('e3'), T, [['d4', 'a']]),
      input(keyed('e5', 'other'), T, [['d5', 'a']]),
    ], 60_000);
    assert.deepEqual([ids(batch.created), batch.duplicates], [['d1', 'd3', 'd4', 'd5'], 1]);
  }));

  test('a dedup window of zero turns deduplication off', using(factory, async (store) => {
    const e = event('e1', 'orders.eu.created', { idempotencykey: 'k' });
    await store.accept([input(e, T, [['d1', 'a']])], 0);
    const again = await store.accept([input(e, T, [['d2', 'a']])], 0);
    assert.deepEqual([ids(again.created), again.duplicates], [['d2'], 0]);
    await rejectsWithCode(store.accept([input(e, T, [['d3', 'a']])], -1), 'PLEXUS_INVALID_REQUEST');
    await rejectsWithCode(store.settle([], [], Number.POSITIVE_INFINITY), 'PLEXUS_INVALID_REQUEST');
  }));

  test('accept is atomic: a batch with a conflicting delivery id changes nothing', using(factory, async (store) => {
    await store.accept([input(event('e1'), T, [['d1', 'a']])], 60_000);
    const keyed = event('e2', 'orders.eu.created', { idempotencykey: 'k' });
    await rejectsWithCode(store.accept([input(keyed, T, [['d2', 'a']]), input(event('e3'), T, [['d1', 'b']])], 60_000), 'PLEXUS_CONFLICT');
    await rejectsWithCode(store.accept([input(event('e4'), T, [['x', 'a'], ['x', 'b']])], 60_000), 'PLEXUS_CONFLICT');
    assert.deepEqual((await store.readJournal({ from: 0, to: T + 1, limit: 10 })).map((j) => j.event.id), ['e1']);
    assert.deepEqual(ids(await store.pending()), ['d1']);
    assert.deepEqual(await store.depth(), { a: 1 });
    const retried = await store.accept([input(keyed, T, [['d2', 'a']])], 60_000);
    assert.deepEqual([ids(retried.created), retried.duplicates], [['d2'], 0], 'the refused batch claimed no idempotency key');
  }));

  test('pending returns every non-final delivery with its event: oldest event first, then by delivery id', using(factory, async (store) => {
    const [e1, e2] = [event('e1'), event('e2')];
    await store.accept([input(e1, T, [['m', 'a'], ['b', 'b'], ['z', 'c']])], 60_000);
    await store.accept([input(e2, T - 10, [['a', 'a']])], 60_000);
    await store.settle([{ kind: 'retry', deliveryId: 'z', attempt: 1, availableAt: T + 500, error: ERROR }], [], 60_000);
    const pending = await store.pending();
    assert.deepEqual(ids(pending), ['b', 'm', 'z', 'a'], 'journal order (seq), not acceptedAt');
    assert.deepEqual(pending.map((p) => p.event), [e1, e1, e1, e2]);
    assert.deepEqual(pending[2], { id: 'z', seq: pending[0]?.seq, plugin: 'c', event: e1, attempt: 1, availableAt: T + 500, acceptedAt: T, lastError: ERROR });
    assert.equal('lastError' in (pending[0] ?? {}), false, 'a fresh delivery has no lastError');
  }));

  test('depth counts non-final deliveries per plugin', using(factory, async (store) => {
    assert.deepEqual(await store.depth(), {});
    await store.accept([input(event('e1'), T, [['a1', 'a'], ['a2', 'a'], ['a3', 'a'], ['b1', 'b']])], 60_000);
    assert.deepEqual(await store.depth(), { a: 3, b: 1 });
    await store.settle([
      { kind: 'done', deliveryId: 'a1' },
      { kind: 'retry', deliveryId: 'a2', attempt: 1, availableAt: T + 1, error: ERROR },
      { kind: 'dead', deliveryId: 'b1', attempt: 1, reason: 'permanent', at: T },
    ], [], 60_000);
    assert.deepEqual(await store.depth(), { a: 2 }, 'a plugin with nothing pending is absent');
  }));

  test('redeliver makes fresh deliveries of journaled events without journaling or dedup', using(factory, async (store) => {
    const e1 = event('e1', 'orders.eu.created', { idempotencykey: 'k' });
    const { created: [d1] } = await store.accept([input(e1, T, [['d1', 'a']])], 60_000);
    const seq = d1?.seq ?? -1;
    await store.settle([{ kind: 'done', deliveryId: 'd1' }], [], 60_000);
    const records = await store.redeliver([
      { seq, deliveries: [{ id: 'r1', plugin: 'a' }, { id: 'r2', plugin: 'b' }] },
      { seq: seq + 1000, deliveries: [{ id: 'r3', plugin: 'a' }] },
    ], T + 50);
    assert.deepEqual(records, [
      { id: 'r1', seq, plugin: 'a', event: e1, attempt: 0, availableAt: T + 50, acceptedAt: T },
      { id: 'r2', seq, plugin: 'b', event: e1, attempt: 0, availableAt: T + 50, acceptedAt: T },
    ], 'the unknown seq is skipped; the idempotency key does not suppress a replay');
    assert.deepEqual(await store.pending(), records);
    assert.equal((await store.readJournal({ from: 0, to: T + 1, limit: 10 })).length, 1);
    await rejectsWithCode(store.redeliver([{ seq, deliveries: [{ id: 'r4', plugin: 'c' }, { id: 'r1', plugin: 'c' }] }], T + 60), 'PLEXUS_CONFLICT');
    assert.deepEqual(ids(await store.pending()), ['r1', 'r2'], 'a refused redelivery creates nothing');
    assert.deepEqual(await store.redeliver([], T), []);
  }));

  settleCases(factory);
}
