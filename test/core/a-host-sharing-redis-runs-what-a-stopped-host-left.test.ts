// Two engines (two hosts) on one Redis store: the first accepts events but
// stops before running them (its lane may run nothing); once its store
// is closed its lease is gone, and the second host's periodic adoption runs
// every delivery it left. Nothing accepted waits for the first host to return.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { RedisStore } from '../../src/store/redis-store.ts';
import { CoreFixture, event, scripted } from './core-fixture.ts';

const fixture = new CoreFixture('redis');
const available = await CoreFixture.available('redis');
const skip = available ? false : 'Redis is not reachable at 127.0.0.1:6379';

before(async () => {
  if (available) await fixture.start();
});
after(async () => {
  if (available) await fixture.stop();
});

test('deliveries a stopped host left are adopted and run by the host that shares its store', { skip }, async () => {
  const prefix = `plexus-test:${randomUUID()}:`;
  const first = await RedisStore.connect({ prefix, host: 'aaaaaaaa0001' });
  const second = await RedisStore.connect({ prefix, host: 'bbbbbbbb0002' });
  try {
    const plugin = await fixture.plugin(scripted('shared-worker'));
    // On the first host the plugin may run nothing (concurrency 0): what it accepts stays pending.
    const leaving = fixture.newEngine({ store: first });
    leaving.setPlugins([{ ...plugin, concurrency: 0 }]);
    const events = Array.from({ length: 40 }, () => event('test.shared'));
    await leaving.accept(events);
    const staying = fixture.newEngine({ store: second });
    staying.setPlugins([plugin]);
    assert.equal(await staying.adoptOrphans(), 0, 'the first host lives: its deliveries are not taken');

    await leaving.stop(1000);
    await first.close();
    assert.equal(await staying.adoptOrphans(), 40);
    await fixture.waitFor(() => fixture.outcomesFor(plugin.name).length >= 40);
    assert.deepEqual(new Set(fixture.outcomesFor(plugin.name).map((o) => o.eventId)), new Set(events.map((e) => e.id)));
    await staying.idle();
    assert.deepEqual(await second.pending(), [], 'all settled');
    await staying.stop(1000);
  } finally {
    await second.destroyAll();
    await second.close();
    await first.close();
  }
});
