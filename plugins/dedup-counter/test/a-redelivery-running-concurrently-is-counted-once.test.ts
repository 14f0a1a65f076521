import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestHost } from '@plexus/plugin-sdk/testing';

// The package folder: createTestHost runs its built plexus.main in the real sandbox.
const plugin = fileURLToPath(new URL('..', import.meta.url));

// The host runs the events of a batch at once (CONTRACT §3), and at-least-once
// delivery can bring the same event twice in one batch (a broker redelivery
// next to a replay). Both must not pass the "seen?" check before either marks it.
test('the same event delivered twice in one batch is counted once', async (t) => {
  const host = await createTestHost({ plugin, grants: ['kv'], config: {} });
  t.after(() => host.close());
  const event = { id: 'evt-race', source: 'amqp/orders', type: 'orders.eu.created' };

  const outcomes = await host.deliverMany([event, event, event]);

  assert.deepEqual(outcomes.map((o) => o.status), ['ok', 'ok', 'ok']);
  assert.equal(host.kv.get('count:orders.eu.created'), 1);
});
