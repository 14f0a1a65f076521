// The conformance suite on the Redis store, each test under its own key
// prefix; every key is deleted afterwards (and that is checked).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisStore } from '../../src/store/redis-store.ts';
import { describeStore } from './store-conformance.ts';
import { REDIS_URL, redisSkipReason } from './redis-reachable.ts';

const skip = await redisSkipReason();

describeStore('Redis', async () => {
  const prefix = `plexus-test:${randomUUID()}:`;
  const store = await RedisStore.connect({ url: REDIS_URL, prefix });
  return {
    store,
    async dispose() {
      await store.destroyAll();
      await store.close();
      const check = new Redis(REDIS_URL);
      try {
        assert.deepEqual(await check.keys(`${prefix}*`), [], 'destroyAll leaves no key behind');
      } finally {
        check.disconnect();
      }
    },
  };
}, skip === undefined ? {} : { skip });
