// CONTRACT §5 `expiresat`, for the deliveries the engine parks: those it
// recovers (after a restart, an adoption or a DLQ replay) for a plugin that is
// not active here (uninstalled or disabled). They used to wait, expired or
// not, until the plugin came back: `plexus dlq` never showed them and the host
// held them in memory meanwhile. One with an expiresat is dead-lettered as
// `expired` at that time, whatever its plugin's state; one without waits for
// its plugin's return as before.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { EngineOptions } from '../../src/delivery/engine.ts';
import { failAll, namedEvent, nameOf, SqliteEngineFixture, succeed, testPlugin, until } from './sqlite-engine-fixture.ts';

let fixture: SqliteEngineFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

test('a parked delivery of an uninstalled plugin is dead-lettered as expired at its expiresat, and the rest wait for the plugin', { timeout: 15_000 }, async () => {
  const expired: { plugin: string; name: string; at: number }[] = [];
  const hooks: EngineOptions['hooks'] = { expired: (plugin, record) => void expired.push({ plugin: plugin.name, name: nameOf(record.event), at: Date.now() }) };
  const f = new SqliteEngineFixture({ hooks });
  fixture = f;
  // Fails once, then waits 1 s for its retry (before the expiry: a retry after it is dead-lettered at once):
  // the deliveries stay pending in the store across the restart.
  const ran: string[] = [];
  const failing = testPlugin('parked-expiry', async (events) => (ran.push(...events.map(nameOf)), failAll(events)), {
    retry: { maxRetries: 3, initialDelayMs: 1000, multiplier: 1, maxDelayMs: 1000 },
  });
  f.engine.setPlugins([failing]);
  const deadline = Date.now() + 1500;
  const late: PlexusEvent = namedEvent('late', { expiresat: new Date(deadline).toISOString() });
  await f.engine.accept([late, namedEvent('timeless')]);
  await until(() => f.engine.depth.retrying === 2, 'both ran once and wait for their retry');

  // The host comes back without the plugin: both deliveries are parked.
  await f.restart();
  assert.equal(await f.engine.recover(), 2);
  assert.equal(f.engine.depth.parked, 2);

  await until(() => expired.length > 0, 'the expiring one is dead-lettered', 5000);
  assert.deepEqual(expired.map((e) => [e.plugin, e.name]), [['parked-expiry', 'late']]);
  // While its plugin is still away (it returns only below), and never before its expiry.
  assert.ok((expired[0] as { at: number }).at > deadline, 'not before its expiresat');
  const [entry, ...more] = await f.store.listDlq({ plugin: 'parked-expiry' }, { limit: 10 });
  assert.equal(more.length, 0);
  assert.equal(entry?.reason, 'expired');
  assert.equal(entry?.event.id, late.id);
  assert.equal(entry?.error?.message, 'boom', 'it keeps the error of its last attempt');
  assert.equal(f.engine.depth.parked, 1, 'no longer held in memory');

  // The plugin returns: only the one without an expiry runs.
  const ranAfter: string[] = [];
  f.engine.setPlugins([testPlugin('parked-expiry', async (events) => (ranAfter.push(...events.map(nameOf)), succeed(events)))]);
  assert.equal(f.engine.depth.parked, 0);
  await f.engine.idle();
  assert.deepEqual(ranAfter, ['timeless']);
});
