// The sync path's choice (sync-path.ts): a sync call holds its worker thread,
// so a batch takes it only when what the instance's batches last cost per
// event says it ends within the budget. Unknown cost (a new instance): only a
// lone event goes sync. A CPU-hungry plugin: async, whatever the probes say.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitsSyncBudget, SYNC_BUDGET_MS, SyncPath } from '../../src/sandbox/sync-path.ts';

test('an unmeasured cost fits one event only; a measured one fits for as many events as the budget holds', () => {
  assert.equal(fitsSyncBudget(undefined, 1), true);
  assert.equal(fitsSyncBudget(undefined, 2), false);
  assert.equal(fitsSyncBudget(0.01, 100), true);
  assert.equal(fitsSyncBudget(0.01, Math.floor(SYNC_BUDGET_MS / 0.01) + 1), false);
  assert.equal(fitsSyncBudget(30, 1), false);
});

test("a new instance's first batch runs async; a cheap one then goes sync", () => {
  const path = new SyncPath();
  assert.equal(path.fits(16), false, 'cost not known yet');
  path.ranAsync(16, 0.16);
  assert.equal(path.fits(16), true);
  assert.equal(path.fits(1000), false, 'the same plugin with a batch too big for the budget');
});

test('a CPU-hungry plugin is never probed with a sync batch once its cost is known', () => {
  const path = new SyncPath();
  path.ranAsync(50, 50 * 20);
  for (let i = 0; i < 200; i++) {
    assert.equal(path.fits(1), false, `batch ${i}`);
    path.ranAsync(50, 50 * 20);
  }
});

test('a sync batch over the budget backs off even if its next batches would fit', () => {
  const path = new SyncPath();
  path.ranAsync(1, 0.1);
  path.ranSync(1, SYNC_BUDGET_MS + 1);
  path.ranAsync(1, 0.1);
  assert.equal(path.fits(1), false, 'one async batch of the two the back-off asks');
  path.ranAsync(1, 0.1);
  assert.equal(path.fits(1), true);
});

test("an instance replacing another starts from its predecessor's cost; its own measurement then rules", () => {
  const path = new SyncPath();
  path.seed(0.01);
  assert.equal(path.fits(64), true, 'an upgrade of a cheap plugin runs its first batch sync');
  path.ranAsync(64, 64 * 5);
  assert.equal(path.fits(1), false, 'a new version that costs far more goes async on what it measured');
  path.seed(0.01);
  assert.equal(path.perEventMs, 5, 'a seed never replaces a measurement');
});
