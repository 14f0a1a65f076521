// A plugin disabled while one of its batches runs is retired: its instances
// go once that batch ends. Enabled again (same version) before then, it is
// active, and the batch's end must not evict the instances it runs on.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { latch, namedEvent, SqliteEngineFixture, succeed, testPlugin } from './sqlite-engine-fixture.ts';

const fixture = new SqliteEngineFixture();
after(() => fixture.close());

test('a version disabled and enabled again while its batch runs is not evicted when the batch ends', async () => {
  const running = latch();
  const release = latch();
  let runs = 0;
  const plugin = testPlugin('p', async (events: readonly PlexusEvent[]) => {
    runs++;
    running.open();
    await release.promise;
    return succeed(events);
  });
  fixture.engine.setPlugins([plugin]);
  await fixture.engine.accept([namedEvent('first')]);
  await running.promise;
  fixture.engine.setPlugins([]);
  fixture.engine.setPlugins([plugin]);
  release.open();
  await fixture.engine.idle();
  assert.deepEqual(fixture.evicted, [], 'p@1.0.0 is active: its instances stay');

  // Still the live version: it runs the next event, and is evicted only when retired for good.
  await fixture.engine.accept([namedEvent('second')]);
  await fixture.engine.idle();
  assert.equal(runs, 2);
  fixture.engine.setPlugins([]);
  assert.deepEqual(fixture.evicted, ['p@1.0.0']);
});
