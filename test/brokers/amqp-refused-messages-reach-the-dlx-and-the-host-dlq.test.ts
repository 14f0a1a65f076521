// A message the host refuses is never silently dropped (CONTRACT §5): it is
// recorded in the host DLQ as PLEXUS_INVALID_EVENT (with its exact bytes)
// and nacked without requeue, which sends it through the dead-letter
// exchange to <queue>.dead. Valid messages around it flow on. JSON nested
// deeper than the host's recursion can take is one such message: it used to
// fail its whole read batch's accept and come back forever.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { AMQP_URL, RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';

test('invalid AMQP messages go to the DLX and the host DLQ as PLEXUS_INVALID_EVENT', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const queue = uniqueName('refused');
  const dlx = uniqueName('dlx');
  const raw = await RawAmqp.open();
  const broker = await BrokerHost.start({ brokers: { amqp: { main: { url: AMQP_URL, deadLetterExchange: dlx, queues: [{ name: queue, kind: 'quorum' }] } } } });
  try {
    const bad = [
      { body: JSON.stringify({ specversion: '1.0', id: 'x', source: 's', type: 'ok.type', priority: 42 }), contentType: 'application/cloudevents+json' },
      { body: '{"not json', contentType: 'application/json' },
      { body: JSON.stringify({ hello: 1 }), contentType: 'application/json', headers: { 'cloudEvents:specversion': '1.0', 'cloudEvents:id': 'no-type' } },
      { body: JSON.stringify({ specversion: '1.0', id: 'y', source: 's', type: 'bad type with spaces' }) },
      { body: `${'['.repeat(10_000)}${']'.repeat(10_000)}`, contentType: 'application/json' },
      { body: `{"deep":${'['.repeat(10_000)}${']'.repeat(10_000)}}` },
    ];
    for (const m of bad) raw.publish('', queue, m.body, { ...(m.contentType ? { contentType: m.contentType } : {}), ...(m.headers ? { headers: m.headers } : {}) });
    raw.publish('', queue, JSON.stringify({ n: 'good' }), { type: 'fine.event' });

    await waitFor('the good message handled', async () => (await broker.seen('good')) === 1);
    await waitFor('every refused message in <queue>.dead', async () => (await raw.settle(`${queue}.dead`)) === bad.length);
    assert.equal(await raw.settle(queue), 0, 'nothing left in the source queue');

    const entries = await broker.host.store.listDlq({ plugin: 'amqp:main' }, { limit: 10 });
    assert.equal(entries.length, bad.length);
    for (const entry of entries) {
      assert.equal(entry.reason, 'invalid');
      assert.equal(entry.error?.code, 'PLEXUS_INVALID_EVENT');
      assert.equal(entry.event.type, 'plexus.ingress.refused');
      assert.equal(entry.event.source, `amqp/${queue}`);
    }
    const bodies = entries.map((e) => Buffer.from(String(e.event.data_base64), 'base64').toString()).sort();
    assert.deepEqual(bodies, bad.map((m) => m.body).sort(), 'the DLQ keeps the exact bytes');
    const messages = entries.map((e) => e.error?.message ?? '').join('\n');
    assert.match(messages, /priority/);
    assert.match(messages, /not JSON/);
    assert.match(messages, /cloudEvents:type/);
    assert.equal(messages.match(/deeper than 64 levels/g)?.length, 2);
    const stats = broker.stats('amqp:main');
    assert.equal(stats.refused, bad.length);
    // The good message's ack goes out with the next coalesced flush, not when its plugin ran.
    await waitFor('the good message acked', () => broker.stats('amqp:main').acked >= 1);
    assert.equal(broker.stats('amqp:main').acked, 1);
  } finally {
    await broker.stop();
    await raw.cleanup([queue, `${queue}.dead`], [dlx]);
  }
});
