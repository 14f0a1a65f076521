// Stream entries are read as text, and text decoding replaced bytes that are
// not UTF-8 with U+FFFD: plugins saw other bytes than were sent, and a
// refusal recorded other bytes than it refused. Now an entry whose fields may
// have been altered is read again as bytes before it is taken: a binary
// `data` field reaches plugins as data_base64 of its exact bytes, a real
// U+FFFD stays text, any other binary field is refused with its exact bytes
// in the DLQ record, and the stream's order holds. Entries recovered from
// the consumer's own pending list take the same path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { pendingCount, rawRedis, REDIS_URL } from './redis-helpers.ts';

const BINARY = Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x7b]);
const REAL_FFFD = 'caf\u00e9 \uFFFD';

test('stream fields that are not UTF-8 arrive as their exact bytes, in stream order, from new and recovered entries', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const stream = uniqueName('bytes-stream');
  const redis = await rawRedis();
  try {
    // Left pending for consumer `me` by an earlier run that never acknowledged it.
    await redis.xgroup('CREATE', stream, 'plexus', '0', 'MKSTREAM');
    await redis.xadd(stream, '*', 'type', 'bytes.recovered', 'data', BINARY);
    await redis.xreadgroup('GROUP', 'plexus', 'me', 'COUNT', 10, 'STREAMS', stream, '>');
    assert.equal(await pendingCount(redis, stream, 'plexus'), 1);

    await redis.xadd(stream, '*', 'type', 'text.one', 'n', 'a');
    const binaryId = await redis.xadd(stream, '*', 'type', 'bytes.data', 'data', BINARY, 'content-type', 'application/x-thing');
    await redis.xadd(stream, '*', 'type', 'text.fffd', 'data', REAL_FFFD);
    await redis.xadd(stream, '*', 'type', 'bytes.attr', 'ce_subject', Buffer.from([0xff]), 'data', 'x');
    await redis.xadd(stream, '*', 'type', 'text.two', 'n', 'b');

    const broker = await BrokerHost.start({ brokers: { redis: { main: { url: REDIS_URL, consumer: 'me', streams: [{ key: stream, group: 'plexus', blockMs: 200 }] } } } });
    try {
      await waitFor('every entry settled and acknowledged', async () => broker.stats('redis:main').acked + broker.stats('redis:main').refused >= 6 && broker.pending === 0 && (await pendingCount(redis, stream, 'plexus')) === 0);
      const journal = (await broker.host.store.readJournal({ from: 0, limit: 100 })).map((entry) => entry.event).filter((event) => event.type !== 'plexus.ingress.refused');
      assert.deepEqual(journal.map((event) => event.type), ['bytes.recovered', 'text.one', 'bytes.data', 'text.fffd', 'text.two'], 'stream order');

      const [recovered, , binary, fffd] = journal;
      assert.equal(recovered?.data_base64, BINARY.toString('base64'));
      assert.equal(binary?.data_base64, BINARY.toString('base64'), 'the exact bytes');
      assert.equal(binary?.data, undefined);
      assert.equal(binary?.datacontenttype, 'application/x-thing');
      assert.equal(binary?.id, binaryId, 'the entry id is the event id, as for text');
      assert.equal(fffd?.data, REAL_FFFD, 'a real U+FFFD is text');

      const [dead, ...more] = await broker.host.store.listDlq({ plugin: 'redis:main', reason: 'invalid' }, { limit: 10 });
      assert.equal(more.length, 0);
      assert.equal(dead?.error?.code, 'PLEXUS_INVALID_EVENT');
      assert.match(dead?.error?.message ?? '', /"ce_subject" field is not UTF-8/);
      const recordedBody = JSON.parse(Buffer.from(String(dead?.event.data_base64), 'base64').toString('utf8')) as unknown;
      assert.deepEqual(recordedBody, { type: 'bytes.attr', ce_subject: { base64: '/w==' }, data: 'x' }, 'the refusal keeps the exact bytes');
      assert.equal(broker.stats('redis:main').recovered, 1);
    } finally {
      await broker.stop();
    }
  } finally {
    await redis.del(stream);
    redis.disconnect();
  }
});
