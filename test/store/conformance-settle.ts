// settle: done / retry / dead, and the outbox (emitted events accepted in the
// same transaction as the settlements).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ErrorData } from '@plexus/plugin-sdk';
import { ERROR, T, event, ids, input, rejectsWithCode, stored, using, type StoreFactory } from './conformance-helpers.ts';

export function settleCases(factory: StoreFactory): void {
  test('settle: done removes, retry reschedules, dead moves to the DLQ with everything an operator needs', using(factory, async (store) => {
    const e1 = event('e1');
    await store.accept([input(e1, T, [['d1', 'a'], ['d2', 'a'], ['d3', 'b'], ['d4', 'b']])], 60_000);
    const fatal: ErrorData = { name: 'PermanentError', message: 'bad input', code: 'PLEXUS_PLUGIN_ERROR', permanent: true };
    const result = await store.settle([
      { kind: 'done', deliveryId: 'd1' },
      { kind: 'retry', deliveryId: 'd2', attempt: 1, availableAt: T + 100, error: ERROR },
      { kind: 'dead', deliveryId: 'd3', attempt: 3, reason: 'exhausted', error: fatal, at: T + 200 },
      { kind: 'dead', deliveryId: 'd4', attempt: 0, reason: 'expired', at: T + 300 },
      { kind: 'done', deliveryId: 'no-such-delivery' },
    ], [], 60_000);
    assert.deepEqual(result, { created: [], duplicates: 0, unapplied: [4] }, 'the settlement of a delivery that does not exist did not apply');
    const pending = await store.pending();
    assert.deepEqual(pending, [{ id: 'd2', seq: pending[0]?.seq, plugin: 'a', event: e1, attempt: 1, availableAt: T + 100, acceptedAt: T, lastError: ERROR }]);
    assert.deepEqual(await store.getDlq('d3'), { id: 'd3', plugin: 'b', event: e1, reason: 'exhausted', attempts: 3, error: fatal, acceptedAt: T, deadAt: T + 200 });
    assert.deepEqual(await store.getDlq('d4'), { id: 'd4', plugin: 'b', event: e1, reason: 'expired', attempts: 0, acceptedAt: T, deadAt: T + 300 });
    assert.equal(await store.getDlq('d1'), undefined);
  }));

  test('settle applies a batch in order: a later settlement of the same delivery sees the earlier one', using(factory, async (store) => {
    await store.accept([input(event('e1'), T, [['d1', 'a'], ['d2', 'a']])], 60_000);
    const result = await store.settle([
      { kind: 'retry', deliveryId: 'd1', attempt: 1, availableAt: T + 1, error: ERROR },
      { kind: 'dead', deliveryId: 'd1', attempt: 2, reason: 'exhausted', error: ERROR, at: T + 2 },
      { kind: 'done', deliveryId: 'd2' },
      { kind: 'retry', deliveryId: 'd2', attempt: 1, availableAt: T + 3, error: ERROR },
    ], [], 60_000);
    assert.deepEqual(result.unapplied, [3], 'the retry of a delivery the batch already settled did not apply');
    assert.deepEqual(await store.pending(), []);
    assert.equal((await store.getDlq('d1'))?.attempts, 2);
    assert.deepEqual(await store.depth(), {});
  }));

  test('settle accepts the emitted events in the same transaction', using(factory, async (store) => {
    await store.accept([input(event('e1'), T, [['d1', 'a']]), input(event('e2'), T, [['d2', 'a']])], 60_000);
    const emitted = event('e3', 'orders.enriched', { idempotencykey: 'k' });
    const result = await store.settle([{ kind: 'done', deliveryId: 'd1' }], [input(emitted, T + 5, [['d3', 'b']])], 60_000);
    assert.deepEqual(stored(result.created), [{ id: 'd3', seq: result.created[0]?.seq, plugin: 'b', event: emitted, attempt: 0, availableAt: T + 5, acceptedAt: T + 5 }]);
    assert.deepEqual(ids(await store.pending()), ['d2', 'd3']);
    const dup = await store.settle([], [input(event('e4', 'orders.enriched', { idempotencykey: 'k' }), T + 6, [['d4', 'b']])], 60_000);
    assert.deepEqual([dup.created, dup.duplicates], [[], 1], 'emitted events are deduplicated like any other');
  }));

  test('settle reports the settlements it did not apply, and does not accept the events they emitted', using(factory, async (store) => {
    await store.accept([input(event('e1'), T, [['d1', 'a'], ['d2', 'a'], ['d3', 'a']])], 60_000);
    // d2 is settled while its batch runs (elsewhere): the batch's outcome for it comes too late.
    assert.equal((await store.settle([{ kind: 'done', deliveryId: 'd2' }], [], 60_000)).unapplied, undefined, 'every settlement applied');
    const fromD1 = { ...input(event('e2', 'orders.enriched'), T + 5, [['n1', 'b']]), cause: 'd1' };
    const fromD2 = { ...input(event('e3', 'orders.enriched', { idempotencykey: 'k' }), T + 5, [['n2', 'b']]), cause: 'd2' };
    const uncaused = input(event('e4', 'orders.enriched'), T + 5, [['n3', 'b']]);
    const result = await store.settle([
      { kind: 'done', deliveryId: 'd1' },
      { kind: 'done', deliveryId: 'd2' },
      { kind: 'retry', deliveryId: 'gone', attempt: 1, availableAt: T + 9, error: ERROR },
      { kind: 'retry', deliveryId: 'd3', attempt: 1, availableAt: T + 9, error: ERROR },
    ], [fromD1, fromD2, uncaused], 60_000);
    assert.deepEqual(result.unapplied, [1, 2]);
    assert.deepEqual(ids(result.created), ['n1', 'n3'], 'the event d2 emitted shares its refused settlement\'s fate');
    assert.equal(result.duplicates, 0, 'a dropped event is not a duplicate');
    assert.equal(result.replayed, undefined, 'nor a replay');
    assert.deepEqual(ids(await store.pending()), ['d3', 'n1', 'n3']);
    assert.deepEqual((await store.readJournal({ from: 0, to: T + 10, limit: 10 })).map((j) => j.event.id), ['e1', 'e2', 'e4'], 'e3 was not journaled');
    const again = await store.settle([], [input(event('e5', 'orders.enriched', { idempotencykey: 'k' }), T + 6, [['n4', 'b']])], 60_000);
    assert.deepEqual(ids(again.created), ['n4'], 'the dropped event claimed no idempotency key');
  }));

  test('if settle fails, neither the settlements nor the emitted events happened', using(factory, async (store) => {
    await store.accept([input(event('e1'), T, [['d1', 'a'], ['d2', 'a'], ['d3', 'a']])], 60_000);
    await rejectsWithCode(store.settle(
      [{ kind: 'done', deliveryId: 'd1' }, { kind: 'dead', deliveryId: 'd2', attempt: 1, reason: 'permanent', at: T }],
      [input(event('e2', 'orders.enriched', { idempotencykey: 'k' }), T, [['n1', 'b'], ['d3', 'c']])],
      60_000,
    ), 'PLEXUS_CONFLICT');
    assert.deepEqual(ids(await store.pending()), ['d1', 'd2', 'd3']);
    assert.equal(await store.countDlq({}), 0);
    assert.deepEqual((await store.readJournal({ from: 0, to: T + 1, limit: 10 })).map((j) => j.event.id), ['e1']);
    assert.deepEqual(await store.depth(), { a: 3 });
    const retried = await store.settle([{ kind: 'done', deliveryId: 'd1' }], [input(event('e2', 'orders.enriched', { idempotencykey: 'k' }), T, [['n1', 'b']])], 60_000);
    assert.deepEqual([ids(retried.created), retried.duplicates], [['n1'], 0], 'the refused batch claimed no idempotency key');
  }));

  test('a delivery settled done may reuse its id for an emitted event in the same batch', using(factory, async (store) => {
    await store.accept([input(event('e1'), T, [['d1', 'a']])], 60_000);
    const result = await store.settle([{ kind: 'done', deliveryId: 'd1' }], [input(event('e2'), T, [['d1', 'b']])], 60_000);
    assert.deepEqual(ids(result.created), ['d1']);
    assert.deepEqual((await store.pending()).map((p) => [p.id, p.plugin, p.event.id]), [['d1', 'b', 'e2']]);
  }));
}
