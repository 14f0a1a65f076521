// ctx.emit → Redis: events a plugin emits whose type matches an egress
// target are XADDed to its stream (trimmed with MAXLEN ~) as one `event`
// field holding the structured CloudEvent, which is what our stream ingress
// reads: a second host consuming the stream runs each event once, under its
// original id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeStreamEntry } from '../../src/ingress/redis/redis-entry.ts';
import { parseEntries } from '../../src/ingress/redis/redis-stream-replies.ts';
import { requireService } from '../helpers/services.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { emitterState, sample, trigger } from './egress-fixture.ts';
import { keys, tally } from './loss-tally.ts';
import { rawRedis, REDIS_URL } from './redis-helpers.ts';

const COUNT = 50;

test('emitted events are XADDed as structured CloudEvents that another host consumes', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const stream = uniqueName('egress');
  const redis = await rawRedis();
  const publisher = await BrokerHost.start({
    brokers: { redis: { out: { url: REDIS_URL } } },
    egress: [{ name: 'audit-stream', match: 'audit.#', broker: 'out', stream, maxLen: 10_000 }],
    plugins: emitterState(['audit.#']),
  });
  const consumer = await BrokerHost.start({ brokers: { redis: { main: { url: REDIS_URL, streams: [{ key: stream, group: 'g', blockMs: 100 }] } } } });
  try {
    await publisher.host.accept(Array.from({ length: COUNT }, (_, i) => trigger('audit.entry.written', i)));
    await waitFor('every emitted event in the stream', async () => Number(await redis.xlen(stream)) >= COUNT, 20_000);

    const entries = parseEntries([stream, await redis.call('XRANGE', [stream, '-', '+'])]);
    assert.equal(entries.length, COUNT);
    for (const entry of entries) {
      const fields = entry.fields ?? [];
      assert.deepEqual(fields.filter((_, i) => i % 2 === 0), ['event'], 'one field: the structured event');
      const body = JSON.parse(fields[1] as string) as Record<string, unknown>;
      assert.equal(body.type, 'audit.entry.written');
      assert.equal(body.source, 'plugin/@fixtures/broker-emitter');
      const decoded = decodeStreamEntry(entry.id, fields, { source: `redis/stream:${stream}`, now: Date.now() });
      assert.ok(decoded.ok);
      assert.equal(decoded.event.id, body.id, 'the stream ingress keeps the CloudEvent id');
    }

    await waitFor('the consuming host ran every event', async () => (await consumer.seen(COUNT - 1)) >= 1 && consumer.pending === 0, 20_000);
    const { lost, duplicates } = await tally(keys(COUNT), [(key) => consumer.seen(key)]);
    assert.equal(lost, 0);
    assert.equal(duplicates, 0);
    assert.equal(await sample(publisher.host, 'plexus_egress_published_total', { target: 'audit-stream' }), COUNT);
    assert.equal(await sample(publisher.host, 'plexus_plugin_executions_total', { plugin: 'egress:audit-stream' }), COUNT, 'the lane shows in the plugin metrics');
  } finally {
    await consumer.stop();
    await publisher.stop();
    await redis.del(stream);
    redis.disconnect();
  }
});
