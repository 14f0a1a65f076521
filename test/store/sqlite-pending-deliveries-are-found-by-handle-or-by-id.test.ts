// The SQLite store finds a fresh delivery through the handle its record
// carries (no map by id on the hot path), and still by id whenever the
// handle is missing or stale: settlements without one, records from before
// another connection wrote, a delivery moved to a row by a retry, and an id
// that is not above every id so far (a clock stepped back) must all be
// settled or refused exactly as before.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { ERROR, event, input, rejectsWithCode, T } from './conformance-helpers.ts';

const WINDOW = 60_000;

async function withStore(body: (store: SqliteStore, path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-pending-index-'));
  const path = join(dir, 'plexus.db');
  const store = SqliteStore.open(path);
  try {
    await body(store, path);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const pendingIds = async (store: SqliteStore) => (await store.adopt({ own: true })).map((r) => r.id).sort();

test('records of fresh deliveries carry a handle, and settling with it or by id alone clears exactly that delivery', () =>
  withStore(async (store) => {
    const { created } = await store.accept([input(event('e1'), T, [['d-0001', 'a'], ['d-0002', 'b']]), input(event('e2'), T, [['d-0003', 'a']])], WINDOW);
    assert.ok(created.every((r) => r.handle !== undefined));
    const [one, two, three] = created;
    await store.settle([{ kind: 'done', deliveryId: 'd-0001', handle: one?.handle }], [], WINDOW);
    assert.deepEqual(await pendingIds(store), ['d-0002', 'd-0003']);
    await store.settle([{ kind: 'done', deliveryId: 'd-0002' }], [], WINDOW);
    assert.deepEqual(await pendingIds(store), ['d-0003']);
    // A handle of another delivery does not redirect the settlement: the id decides.
    await store.settle([{ kind: 'done', deliveryId: 'd-0003', handle: two?.handle }], [], WINDOW);
    assert.deepEqual(await pendingIds(store), []);
    // Settled already: a second settlement with the handle is ignored.
    await store.settle([{ kind: 'done', deliveryId: 'd-0003', handle: three?.handle }], [], WINDOW);
    assert.deepEqual(await pendingIds(store), []);
  }));

test('a retried delivery is found in its row through the stale handle of its first record', () =>
  withStore(async (store) => {
    const { created } = await store.accept([input(event('e1'), T, [['d-0001', 'a']])], WINDOW);
    const handle = created[0]?.handle;
    await store.settle([{ kind: 'retry', deliveryId: 'd-0001', handle, attempt: 1, availableAt: T + 1000, error: ERROR }], [], WINDOW);
    assert.deepEqual((await store.adopt({ own: true })).map((r) => [r.id, r.attempt]), [['d-0001', 1]]);
    await store.settle([{ kind: 'dead', deliveryId: 'd-0001', handle, attempt: 2, reason: 'exhausted', error: ERROR, at: T + 2000 }], [], WINDOW);
    assert.deepEqual(await pendingIds(store), []);
    assert.equal(await store.countDlq({}), 1);
  }));

test('handles from before another connection wrote still settle the right deliveries', () =>
  withStore(async (store, path) => {
    const { created } = await store.accept([input(event('e1'), T, [['d-0001', 'a'], ['d-0002', 'a']])], WINDOW);
    // Another writer (a CLI, a second process) commits: the index is rebuilt and old handles go stale.
    const other = new DatabaseSync(path);
    other.exec("UPDATE meta SET value = value WHERE key = 'last_seq'");
    other.close();
    await store.accept([input(event('e2'), T, [['d-0003', 'a']])], WINDOW);
    await store.settle(created.map((r) => ({ kind: 'done' as const, deliveryId: r.id, handle: r.handle })), [], WINDOW);
    assert.deepEqual(await pendingIds(store), ['d-0003']);
  }));

test('an id below every id so far (a clock stepped back) is still refused while it is pending, and accepted once it is not', () =>
  withStore(async (store) => {
    await store.accept([input(event('e1'), T, [['d-0005', 'a']]), input(event('e2'), T, [['d-0009', 'a']])], WINDOW);
    await rejectsWithCode(store.accept([input(event('e3'), T, [['d-0005', 'b']])], WINDOW), 'PLEXUS_CONFLICT');
    await rejectsWithCode(store.accept([input(event('e4'), T, [['d-0001', 'a'], ['d-0001', 'b']])], WINDOW), 'PLEXUS_CONFLICT');
    const { created } = await store.accept([input(event('e5'), T, [['d-0001', 'a']])], WINDOW);
    assert.deepEqual(created.map((r) => r.id), ['d-0001']);
    await store.settle([{ kind: 'done', deliveryId: 'd-0005' }, { kind: 'done', deliveryId: 'd-0001', handle: created[0]?.handle }], [], WINDOW);
    assert.deepEqual(await pendingIds(store), ['d-0009']);
    const again = await store.accept([input(event('e6'), T, [['d-0005', 'a']])], WINDOW);
    assert.deepEqual(again.created.map((r) => r.id), ['d-0005']);
  }));
