// redis-cli for the tests (a client other than ours) and a raw ioredis
// connection for inspection and cleanup.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);

export const REDIS_URL = 'redis://127.0.0.1:6379';

export async function redisCli(...args: (string | number)[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', '6379', ...args.map(String)], { timeout: 30_000 });
  return stdout.trim();
}

/** A connection that does not reconnect by itself: a failed command is the caller's to handle. */
export async function rawRedis(): Promise<Redis> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, retryStrategy: () => null, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  await redis.connect();
  return redis;
}

/** rawRedis, retried until Redis answers (during a restart). */
export async function rawRedisWhenUp(timeoutMs = 60_000): Promise<Redis> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await rawRedis();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Entries delivered to the group and not acknowledged. */
export async function pendingCount(redis: Redis, stream: string, group: string): Promise<number> {
  const summary = await redis.call('XPENDING', [stream, group]);
  return Array.isArray(summary) ? Number(summary[0]) : 0;
}

/** Entries in the stream not yet delivered to the group (0 when the group does not exist). */
export async function groupLag(redis: Redis, stream: string, group: string): Promise<number> {
  const groups = await redis.call('XINFO', ['GROUPS', stream]);
  if (!Array.isArray(groups)) return 0;
  for (const item of groups) {
    const info = item as unknown[];
    if (info[info.indexOf('name') + 1] !== group) continue;
    return Number(info[info.indexOf('lag') + 1] ?? 0);
  }
  return 0;
}
