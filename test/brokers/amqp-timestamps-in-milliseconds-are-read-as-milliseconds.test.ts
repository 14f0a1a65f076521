// AMQP timestamps count seconds since the epoch, but publishers that send
// milliseconds (JavaScript's Date.now()) are common. Read as seconds, such a
// `timestamp` property with an `expiration` made an expiry in the year
// ~58,000, and the message was refused as "expiresat must be an RFC 3339
// date-time", an attribute its sender never set; a larger one failed as
// "Invalid time value". A timestamp from 1e11 up (1973 in milliseconds, the
// year 5138 in seconds) is now read as milliseconds, in the property and in
// timestamp-typed cloudEvents: headers; one still out of any Date's range is
// ignored (the TTL counts from arrival) rather than refusing the message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { AMQP_URL, RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';

test('AMQP timestamps sent in milliseconds give the right expiry and time; an absurd one is ignored, not a refusal', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const queue = uniqueName('ms-timestamps');
  const exchange = uniqueName('ms-events');
  const raw = await RawAmqp.open();
  const broker = await BrokerHost.start({
    brokers: { amqp: { main: { url: AMQP_URL, exchange: { name: exchange }, queues: [{ name: queue, bindings: ['stamps.#'] }] } } },
  });
  const sentAt = Date.now();
  try {
    raw.publish(exchange, 'stamps.millis', JSON.stringify({ n: 'millis', record: true }), { expiration: '600000', timestamp: sentAt });
    raw.publish(exchange, 'stamps.seconds', JSON.stringify({ n: 'seconds', record: true }), { expiration: '600000', timestamp: Math.floor(sentAt / 1000) });
    raw.publish(exchange, 'stamps.absurd', JSON.stringify({ n: 'absurd', record: true }), { expiration: '600000', timestamp: 1e16 });
    raw.publish(exchange, 'stamps.header', JSON.stringify({ n: 'header', record: true }), {
      contentType: 'application/json',
      headers: { 'cloudEvents:specversion': '1.0', 'cloudEvents:id': 'ms-1', 'cloudEvents:type': 'stamps.header', 'cloudEvents:time': { '!': 'timestamp', value: 1_577_836_800_000 } },
    });
    await waitFor('every message handled', async () => (await Promise.all(['millis', 'seconds', 'absurd', 'header'].map((k) => broker.seen(k)))).every((n) => n === 1));

    for (const key of ['millis', 'seconds']) {
      const expiresAt = Date.parse(String((await broker.recorded(key))?.expiresat));
      assert.ok(Math.abs(expiresAt - (sentAt + 600_000)) < 2000, `${key}: expiry ten minutes after the publish, got ${new Date(expiresAt).toISOString()}`);
    }
    const absurd = Date.parse(String((await broker.recorded('absurd'))?.expiresat));
    assert.ok(absurd >= sentAt + 600_000 && absurd < Date.now() + 600_000 + 1000, 'the TTL counts from arrival');
    assert.equal((await broker.recorded('header'))?.time, '2020-01-01T00:00:00.000Z');
    assert.equal(await broker.host.store.countDlq({}), 0, 'nothing refused');
  } finally {
    await broker.stop();
    await raw.cleanup([queue], [exchange]);
  }
});
