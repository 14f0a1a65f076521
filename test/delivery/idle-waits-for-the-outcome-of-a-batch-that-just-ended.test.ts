// idle() (tests, shutdown) must not resolve while a batch's outcome is not
// yet durable. Between the sandbox's answer and the start of its commit the
// engine resumes a few microtasks later; a pump scheduled by the previous
// commit ran in that gap, saw no batch in flight and no commit pending, and
// resolved idle() with the last outcome unwritten.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { namedEvent, SqliteEngineFixture, succeed, testPlugin } from './sqlite-engine-fixture.ts';

const fixture = new SqliteEngineFixture();
after(() => fixture.close());

test('idle() resolves only once the last batch of a partition key is durably settled', async () => {
  fixture.engine.setPlugins([testPlugin('keyed', async (events) => succeed(events))]);
  const settled: number[] = [];
  // K#2 waits for K#1's commit, which releases the key and schedules a pump.
  await fixture.engine.accept([namedEvent('K#1', { partitionkey: 'K' }), namedEvent('K#2', { partitionkey: 'K' })], (i) => void settled.push(i));
  await fixture.engine.idle();
  assert.deepEqual(settled.sort(), [0, 1], 'both outcomes are durable');
  assert.deepEqual(await fixture.store.pending(), []);
});
