// Whether the test Redis answers. In CI (CI=true) an unreachable Redis fails
// the run; elsewhere the Redis tests skip and say what to start.
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.PLEXUS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const START_REDIS = 'start Redis: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';

export async function redisReachable(url = REDIS_URL): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 1000 });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** undefined when Redis is up; the skip message otherwise (throws in CI). */
export async function redisSkipReason(): Promise<string | undefined> {
  if (await redisReachable()) return undefined;
  if (process.env.CI === 'true') throw new Error(`Redis is not reachable at ${REDIS_URL} (${START_REDIS})`);
  return START_REDIS;
}
