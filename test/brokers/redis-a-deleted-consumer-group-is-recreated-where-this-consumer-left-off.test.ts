// A stream's consumer group deleted while the host consumes it (XGROUP
// DESTROY by an operator, a FLUSH): the session fails with NOGROUP and the
// next one creates the group again. Created at the configured `start`, it
// re-read the whole stream ('0': every entry run again) or skipped what
// arrived meanwhile ('$'). It is created at the last entry this consumer
// took: nothing taken is taken again, nothing after it is skipped, and the
// recreation is logged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { pendingCount, rawRedis, REDIS_URL } from './redis-helpers.ts';

/** How the group goes: an operator's XGROUP DESTROY, or the stream with it (what a FLUSH does to every key). */
const DELETIONS: Record<string, (stream: string) => [string, ...string[]]> = {
  'XGROUP DESTROY': (stream) => ['XGROUP', 'DESTROY', stream, 'g'],
  'a deleted stream': (stream) => ['DEL', stream],
};

for (const start of ['beginning', 'end'] as const) for (const [how, deletion] of Object.entries(DELETIONS)) {
  test(`a group gone by ${how} (start: ${start}) is recreated after the last entry taken: nothing twice, nothing skipped`, { timeout: 60_000 }, async (t) => {
    if (!(await requireService(t, 'redis'))) return;
    const stream = uniqueName('nogroup');
    const redis = await rawRedis();
    const add = (n: number) => redis.call('XADD', [stream, '*', 'type', 'nogroup.test', 'n', String(n)]);
    const broker = await BrokerHost.start({
      brokers: { redis: { main: { url: REDIS_URL, consumer: 'me', streams: [{ key: stream, group: 'g', start, blockMs: 100 }] } } },
    });
    try {
      for (let i = 0; i < 20; i++) await add(i);
      const seenAll = (n: number) => async () => (await Promise.all(Array.from({ length: n }, (_, i) => broker.seen(i)))).every((c) => c >= 1);
      await waitFor('the first twenty handled', seenAll(20));
      await waitFor('and acknowledged', async () => (await pendingCount(redis, stream, 'g')) === 0 && broker.pending === 0);

      // Deleted, and entries added before any session can create it again.
      const [command, ...args] = deletion(stream);
      await redis.multi().call(command, ...args).call('XADD', stream, '*', 'type', 'nogroup.test', 'n', '20').exec();
      for (let i = 21; i < 30; i++) await add(i);

      await waitFor('the ten added after the deletion handled', seenAll(30));
      await waitFor('and acknowledged in the new group', async () => (await pendingCount(redis, stream, 'g')) === 0 && broker.pending === 0);
      // Long enough for a group recreated at '0' to have handed the old entries out again.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const counts = await Promise.all(Array.from({ length: 30 }, (_, i) => broker.seen(i)));
      assert.ok(counts.every((n) => n === 1), `each entry handled once: ${counts.join(',')}`);
      const warned = broker.logger.lines.filter((l) => l.level === 'warn' && /consumer group .* was recreated/.test(l.message));
      assert.equal(warned.length, 1, 'the recreation is logged once');
    } finally {
      await broker.stop();
      await redis.del(stream);
      redis.disconnect();
    }
  });
}
