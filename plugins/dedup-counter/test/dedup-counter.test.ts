import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestHost, type TestHost } from '@plexus/plugin-sdk/testing';

// The package folder: createTestHost runs its built plexus.main in the real sandbox.
const plugin = fileURLToPath(new URL('..', import.meta.url));

async function hostFor(t: TestContext, options: { grants?: string[]; config?: object } = {}): Promise<TestHost> {
  const host = await createTestHost({ plugin, grants: options.grants ?? ['kv'], config: options.config ?? {} });
  t.after(() => host.close());
  return host;
}

test('counts events per type and logs the running count', async (t) => {
  const host = await hostFor(t);

  // One at a time, as the host delivers events that share a partition.
  const outcomes = [];
  for (const type of ['orders.eu.created', 'orders.eu.created', 'payments.settled']) outcomes.push(await host.deliver({ type }));

  assert.deepEqual(outcomes.map((o) => o.status), ['ok', 'ok', 'ok']);
  assert.equal(host.kv.get('count:orders.eu.created'), 2);
  assert.equal(host.kv.get('count:payments.settled'), 1);
  assert.deepEqual(outcomes[1]?.logs.map((l) => [l.level, l.message, l.fields]), [['info', 'event counted', { type: 'orders.eu.created', count: 2 }]]);
});

test('a redelivered event is counted once', async (t) => {
  const host = await hostFor(t);
  const event = { id: 'evt-1', source: 'amqp/orders', type: 'orders.eu.created' };

  const first = await host.deliver(event);
  const again = await host.deliver(event);

  assert.equal(first.status, 'ok');
  assert.equal(again.status, 'ok');
  assert.equal(host.kv.get('count:orders.eu.created'), 1);
  assert.deepEqual(again.logs.map((l) => [l.level, l.message]), [['debug', 'duplicate ignored']]);
});

test('an event id is forgotten after the configured window', async (t) => {
  const host = await hostFor(t, { config: { windowMs: 50 } });
  const event = { id: 'evt-2', type: 'orders.eu.created' };

  await host.deliver(event);
  await sleep(100);
  await host.deliver(event);

  assert.equal(host.kv.get('count:orders.eu.created'), 2);
});

test('a kv error is retried, and the event is not marked seen so the retry still counts it', async (t) => {
  const host = await hostFor(t);
  host.kv.set('count:orders.eu.created', 'not a number');
  const event = { id: 'evt-3', type: 'orders.eu.created' };

  const failed = await host.deliver(event);
  host.kv.set('count:orders.eu.created', 0);
  const retried = await host.deliver(event);

  assert.equal(failed.status, 'retry');
  assert.equal(retried.status, 'ok');
  assert.equal(host.kv.get('count:orders.eu.created'), 1);
});

test('without the kv grant ctx.kv is absent and the event is dead-lettered', async (t) => {
  const host = await hostFor(t, { grants: [] });

  const outcome = await host.deliver({ type: 'orders.eu.created' });

  assert.equal(outcome.status, 'dead');
  assert.match(outcome.error?.message ?? '', /needs the kv grant/);
  assert.deepEqual(host.kv.keys(), []);
});
