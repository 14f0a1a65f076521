import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestHost, type TestHost } from '@plexus/plugin-sdk/testing';

// The package folder: createTestHost runs its built plexus.main in the real sandbox.
const plugin = fileURLToPath(new URL('..', import.meta.url));

async function hostFor(t: TestContext): Promise<TestHost> {
  const host = await createTestHost({ plugin, grants: ['kv'], config: {} });
  t.after(() => host.close());
  return host;
}

// The host accepts ids and sources of any length, while kv keys stop at 512 characters.
test('an event with an id longer than a kv key is counted once, not retried until dead-lettered', async (t) => {
  const host = await hostFor(t);
  const event = { id: 'x'.repeat(600), source: 'webhook/shop', type: 'orders.eu.created' };

  const first = await host.deliver(event);
  const again = await host.deliver(event);
  const other = await host.deliver({ ...event, id: `${'x'.repeat(599)}y` });

  assert.deepEqual([first.status, again.status, other.status], ['ok', 'ok', 'ok'], JSON.stringify(first.error));
  assert.equal(host.kv.get('count:orders.eu.created'), 2);
});

// Sources and ids both may hold ":", so "seen:<source>:<id>" names two events alike.
test('two events whose source and id only differ in where the ":" falls are both counted', async (t) => {
  const host = await hostFor(t);

  const outcomes = [
    await host.deliver({ id: 'events:1-0', source: 'redis/stream', type: 'orders.eu.created' }),
    await host.deliver({ id: '1-0', source: 'redis/stream:events', type: 'orders.eu.created' }),
  ];

  assert.deepEqual(outcomes.map((o) => o.status), ['ok', 'ok']);
  assert.equal(host.kv.get('count:orders.eu.created'), 2);
});
