// The sandbox process ends itself when a worker is stuck in a sync isolate
// call past its deadline (sync-call-watch.ts). It must not for a call still
// within its limit, a finished one, or the stale slot of a worker that is gone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSyncCallWatch, LOST_AFTER_MS, overdueCall, SyncCallSlot } from '../../src/sandbox/sync-call-watch.ts';

test('only a live worker past its limit plus the grace counts as overdue', () => {
  const shared = createSyncCallWatch();
  const one = SyncCallSlot.claim(shared, 11) as SyncCallSlot;
  const two = SyncCallSlot.claim(shared, 12) as SyncCallSlot;
  const live = new Set([11, 12]);
  const isLive = (id: number) => live.has(id);
  const now = Date.now();
  assert.equal(overdueCall(shared, isLive, now), undefined, 'no call in progress');

  one.begin(1000);
  assert.equal(overdueCall(shared, isLive, now + 1000 + LOST_AFTER_MS - 50), undefined, 'within its limit and the grace');
  assert.equal(overdueCall(shared, isLive, now + 1000 + LOST_AFTER_MS + 500)?.threadId, 11);

  two.begin(5000);
  const later = now + 5000 + LOST_AFTER_MS + 1000;
  assert.deepEqual(overdueCall(shared, isLive, later)?.threadId, 11, 'the most overdue is reported');
  one.end();
  assert.equal(overdueCall(shared, isLive, later)?.threadId, 12, 'a finished call no longer counts');
  live.delete(12);
  assert.equal(overdueCall(shared, isLive, later), undefined, 'the stale slot of a worker that is gone is ignored');
});

test('a released slot is claimed again, and claims never share a slot', () => {
  const shared = createSyncCallWatch();
  const slots = Array.from({ length: 256 }, (_, i) => SyncCallSlot.claim(shared, i + 1));
  assert.ok(slots.every((s) => s !== undefined));
  assert.equal(SyncCallSlot.claim(shared, 999), undefined, 'all taken: that worker goes unwatched');
  slots[7]?.begin(10);
  slots[7]?.release();
  const again = SyncCallSlot.claim(shared, 1000) as SyncCallSlot;
  assert.ok(again);
  assert.equal(overdueCall(shared, () => true, Date.now() + 60_000), undefined, 'release cleared the deadline');
});
