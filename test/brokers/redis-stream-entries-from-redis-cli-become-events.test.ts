// Stream entries written with redis-cli XADD (not our code) are read through
// a consumer group and XACKed only after their outcome is durable: a
// CloudEvent in an `event` field, a body in `data` with ce_ attributes, and a
// bare field map. Entries the host refuses are recorded in its DLQ as
// PLEXUS_INVALID_EVENT and acknowledged; nothing stays pending. One is JSON
// nested deeper than the host's recursion takes: it used to fail its read
// batch's accept and come back forever.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { pendingCount, rawRedis, redisCli, REDIS_URL } from './redis-helpers.ts';

test('redis-cli XADD entries become events and are acknowledged after their outcome', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const stream = uniqueName('stream');
  const redis = await rawRedis();
  const broker = await BrokerHost.start({ brokers: { redis: { main: { url: REDIS_URL, streams: [{ key: stream, group: 'plexus', type: 'orders.default', blockMs: 200 }] } } } });
  try {
    const cloudEventId = await redisCli('XADD', stream, '*', 'event', JSON.stringify({ specversion: '1.0', id: 'ce-1', source: 'shop', type: 'orders.created', data: { n: 'ce', record: true } }));
    const dataId = await redisCli('XADD', stream, '*', 'data', JSON.stringify({ n: 'data', record: true }), 'ce_type', 'orders.paid', 'ce_partitionkey', 'cust-1', 'traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    const mapId = await redisCli('XADD', stream, '*', 'type', 'orders.shipped', 'n', 'map', 'record', 'yes');
    const defaultTypeId = await redisCli('XADD', stream, '*', 'n', 'default-type', 'record', 'yes');
    await redisCli('XADD', stream, '*', 'event', '{"specversion":"1.0","id":"x"}');
    await redisCli('XADD', stream, '*', 'event', 'not json at all');
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    await redis.xadd(stream, '*', 'type', 'orders.deep', 'data', deep);

    await waitFor('every valid entry handled', async () => (await Promise.all(['ce', 'data', 'map', 'default-type'].map((k) => broker.seen(k)))).every((n) => n === 1));
    await waitFor('nothing pending in the group', async () => (await pendingCount(redis, stream, 'plexus')) === 0 && broker.pending === 0);

    const ce = await broker.recorded('ce');
    assert.equal(ce?.id, 'ce-1');
    assert.equal(ce?.source, 'shop');
    assert.ok(cloudEventId.length > 0);
    const data = await broker.recorded('data');
    assert.equal(data?.type, 'orders.paid');
    assert.equal(data?.id, dataId, 'the entry id is the event id');
    assert.equal(data?.source, `redis/stream:${stream}`);
    assert.equal(data?.partitionkey, 'cust-1');
    assert.equal(data?.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    const map = await broker.recorded('map');
    assert.equal(map?.type, 'orders.shipped');
    assert.equal(map?.id, mapId);
    assert.deepEqual(map?.data, { n: 'map', record: 'yes' });
    const byDefault = await broker.recorded('default-type');
    assert.equal(byDefault?.type, 'orders.default');
    assert.equal(byDefault?.id, defaultTypeId);

    const dead = await broker.host.store.listDlq({ plugin: 'redis:main', reason: 'invalid' }, { limit: 10 });
    assert.equal(dead.length, 3);
    for (const entry of dead) assert.equal(entry.error?.code, 'PLEXUS_INVALID_EVENT');
    assert.equal(dead.filter((entry) => /deeper than 64 levels/.test(entry.error?.message ?? '')).length, 1);
    // What the DLQ keeps of a refused entry: its fields as one JSON object, as they arrived.
    const recordedBodies = dead.map((entry) => {
      assert.equal(entry.event.datacontenttype, 'application/json');
      return JSON.parse(Buffer.from(String(entry.event.data_base64), 'base64').toString('utf8')) as unknown;
    });
    assert.deepEqual(new Set(recordedBodies.map((b) => JSON.stringify(b))), new Set([JSON.stringify({ event: '{"specversion":"1.0","id":"x"}' }), JSON.stringify({ event: 'not json at all' }), JSON.stringify({ type: 'orders.deep', data: deep })]));
    const stats = broker.stats('redis:main');
    assert.equal(stats.refused, 3);
    assert.equal(stats.acked, 4);
  } finally {
    await broker.stop();
    await redis.del(stream);
    redis.disconnect();
  }
});
