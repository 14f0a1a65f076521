// An event's source must be a URI-reference, and the broker ingresses make it
// from names they do not choose: `amqp/<queue>`, `redis/stream:<key>`. A
// queue named with a non-ASCII letter or a key with a space made every
// message from it fail validation ("source must be a URI-reference") and go
// to the DLQ. Such characters are now percent-encoded in the source, and
// every name that made a valid source before makes the same one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sourceOf } from '../../src/ingress/source-name.ts';
import { requireService } from '../helpers/services.ts';
import { AMQP_URL, RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { rawRedis, REDIS_URL } from './redis-helpers.ts';

test('names that were valid sources stay as they are; others are percent-encoded', () => {
  for (const name of ['orders', 'orders:in', 'events/eu-west.1', 'a~b_c', 'x@y!$&()*+,;=', 'pct%41ok']) assert.equal(sourceOf('amqp/', name), `amqp/${name}`);
  assert.equal(sourceOf('redis/stream:', 'my key'), 'redis/stream:my%20key');
  assert.equal(sourceOf('amqp/', 'commandes-reçues'), 'amqp/commandes-re%C3%A7ues');
  assert.equal(sourceOf('amqp/', 'a|b[1]'), 'amqp/a%7Cb%5B1%5D');
  assert.equal(sourceOf('amqp/', '100%'), 'amqp/100%25');
  assert.equal(sourceOf('amqp/', '😀'), 'amqp/%F0%9F%98%80');
});

test('messages from a queue with a non-ASCII name and a stream key with a space are accepted', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq')) || !(await requireService(t, 'redis'))) return;
  const queue = `${uniqueName('commandes')}-reçues`;
  const stream = `${uniqueName('stream')} with space`;
  const raw = await RawAmqp.open();
  const redis = await rawRedis();
  const broker = await BrokerHost.start({
    brokers: {
      amqp: { main: { url: AMQP_URL, queues: [{ name: queue, type: 'names.amqp' }] } },
      redis: { cache: { url: REDIS_URL, streams: [{ key: stream, group: 'plexus', type: 'names.redis', blockMs: 200 }] } },
    },
  });
  try {
    raw.channel.sendToQueue(queue, Buffer.from(JSON.stringify({ n: 'amqp', record: true })), { contentType: 'application/json' });
    await redis.xadd(stream, '*', 'data', JSON.stringify({ n: 'redis', record: true }));
    await waitFor('both handled', async () => (await broker.seen('amqp')) === 1 && (await broker.seen('redis')) === 1);
    assert.equal((await broker.recorded('amqp'))?.source, sourceOf('amqp/', queue));
    assert.equal((await broker.recorded('redis'))?.source, sourceOf('redis/stream:', stream));
    assert.equal(await broker.host.store.countDlq({}), 0, 'nothing refused');
  } finally {
    await broker.stop();
    await raw.cleanup([queue]);
    await redis.del(stream);
    redis.disconnect();
  }
});
