// List items and channel messages are bytes. One that is not UTF-8 used to
// be decoded with replacement characters: plugins saw other bytes than were
// sent, and the list consumer's LREM of the re-encoded text named nothing,
// so the item stayed in the processing list and ran again at every restart.
// Now such an item reaches plugins as data_base64 of its exact bytes and
// leaves the processing list once it is settled.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { rawRedis, REDIS_URL } from './redis-helpers.ts';

const NOT_UTF8 = Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"n":"\xff\xfe"}

test('a list item that is not UTF-8 is its bytes, leaves the processing list, and is not taken again after a restart', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const list = uniqueName('bytes-list');
  const processing = `${list}:processing:me`;
  const redis = await rawRedis();
  const config = { brokers: { redis: { main: { url: REDIS_URL, consumer: 'me', lists: [{ key: list, type: 'bytes.list' }] } } } };
  await redis.rpush(list, NOT_UTF8);
  const broker = await BrokerHost.start(config);
  const stateDir = broker.stateDir;
  try {
    await waitFor('the item acknowledged', () => broker.stats('redis:main').acked === 1);
    await waitFor('the processing list empty', async () => (await redis.llen(processing)) === 0);
    const [entry] = await broker.host.store.readJournal({ from: 0, type: 'bytes.list', limit: 10 });
    assert.equal(entry?.event.data_base64, NOT_UTF8.toString('base64'), 'the exact bytes');
    assert.equal(entry?.event.data, undefined);
  } finally {
    await broker.stop(true);
  }
  const again = await BrokerHost.start({ ...config, stateDir });
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(again.stats('redis:main').recovered, 0);
    assert.equal((await again.host.store.readJournal({ from: 0, type: 'bytes.list', limit: 10 })).length, 1, 'run once');
  } finally {
    await again.stop();
    await rm(stateDir, { recursive: true, force: true });
    await redis.del(list, processing);
    redis.disconnect();
  }
});

test('a channel message that is not UTF-8 is its bytes', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const channel = uniqueName('bytes-channel');
  const redis = await rawRedis();
  const broker = await BrokerHost.start({ brokers: { redis: { main: { url: REDIS_URL, pubsub: [{ channel, type: 'bytes.channel' }] } } } });
  try {
    await waitFor('subscribed', async () => Number(await redis.publish(channel, Buffer.from('{"warm":1}'))) > 0 && broker.stats('redis:main').acked >= 1);
    await redis.publish(channel, NOT_UTF8);
    const journal = () => broker.host.store.readJournal({ from: 0, type: 'bytes.channel', limit: 100 });
    await waitFor('the message journaled', async () => (await journal()).some((e) => e.event.data_base64 !== undefined));
    const bytes = (await journal()).filter((e) => e.event.data_base64 !== undefined);
    assert.deepEqual(bytes.map((e) => e.event.data_base64), [NOT_UTF8.toString('base64')]);
  } finally {
    await broker.stop();
    redis.disconnect();
  }
});
