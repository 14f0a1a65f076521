// Stores a test file opens on the test Redis, each test on a prefix of its
// own: after the file's tests every store opened is closed and every prefix's
// keys deleted (through a store on it, which knows the keys of its prefix),
// so nothing is left in a Redis others share.
import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { RedisStore, type RedisStoreOptions } from '../../src/store/redis-store.ts';
import { REDIS_URL } from './redis-reachable.ts';

export interface RedisTestStores {
  /** A fresh prefix: one store shared by the hosts of one test. */
  sharedPrefix(): string;
  /** RedisStore.connect on the test Redis (unless `redis` is given); closed after the file's tests. */
  connect(options: RedisStoreOptions): Promise<RedisStore>;
}

/** Call at the top level of a test file: it registers the after() hook that cleans up. */
export function redisStoresCleanedAfterTheseTests(): RedisTestStores {
  const prefixes: string[] = [];
  const opened: RedisStore[] = [];
  after(async () => {
    for (const store of opened) await store.close();
    for (const prefix of prefixes) {
      const cleaner = await RedisStore.connect({ url: REDIS_URL, prefix });
      await cleaner.destroyAll();
      await cleaner.close();
    }
  });
  return {
    sharedPrefix() {
      const prefix = `plexus-test:${randomUUID()}:`;
      prefixes.push(prefix);
      return prefix;
    },
    async connect(options) {
      const store = await RedisStore.connect({ url: REDIS_URL, ...options });
      opened.push(store);
      return store;
    },
  };
}
