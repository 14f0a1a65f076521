// CONTRACT §5: events with one partitionkey reach a plugin in order, whatever
// their priorities; priority orders only events that do not share a key.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { latch, namedEvent, nameOf, SqliteEngineFixture, succeed, testPlugin } from './sqlite-engine-fixture.ts';

const fixture = new SqliteEngineFixture();
after(() => fixture.close());

test('a later event of a partition key with a higher priority waits for the earlier one; other keys still go by priority', async () => {
  const seen: string[] = [];
  const blockerRunning = latch();
  const releaseBlocker = latch();
  fixture.engine.setPlugins([testPlugin('ordered', async (events: readonly PlexusEvent[]) => {
    for (const event of events) seen.push(nameOf(event));
    if (seen.length === 1) {
      blockerRunning.open();
      await releaseBlocker.promise;
    }
    return succeed(events);
  })]);
  // The plugin's one slot is taken, so the next events all queue before any of them runs.
  await fixture.engine.accept([namedEvent('blocker')]);
  await blockerRunning.promise;
  await fixture.engine.accept([
    namedEvent('k#1 priority 4', { partitionkey: 'k' }),
    namedEvent('k#2 priority 9', { partitionkey: 'k', priority: 9 }),
    namedEvent('other priority 9', { priority: 9 }),
  ]);
  releaseBlocker.open();
  await fixture.engine.idle();
  assert.deepEqual(seen, ['blocker', 'other priority 9', 'k#1 priority 4', 'k#2 priority 9']);
});
