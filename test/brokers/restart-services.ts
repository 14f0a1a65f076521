// Restarts of the shared RabbitMQ and Redis, for the fault tests only. Both
// are always left running: a failed stop or start is followed by another
// start attempt before the error is reported.
//
// Redis here runs without persistence (--save "" --appendonly no), so a
// plain restart would wipe every key, other tests' included, and with them
// the stream under test: that would test Redis' configuration, not the
// ingress. The restart therefore uses SHUTDOWN SAVE (one RDB snapshot on the
// way down, loaded on the way up, as a Redis with persistence would behave),
// then deletes the snapshot so a later plain restart does not resurrect it.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { rabbitAvailable, redisAvailable } from '../helpers/services.ts';

const run = promisify(execFile);
const REDIS_DIR = '/var/lib/redis';
const REDIS_START = ['--daemonize', 'yes', '--bind', '127.0.0.1 -::1', '--port', '6379', '--save', '', '--appendonly', 'no', '--dir', REDIS_DIR, '--logfile', '/var/log/redis/ci.log'];

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not come back`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stops the RabbitMQ application (connections drop), waits `downMs`, starts it again. */
export async function restartRabbit(downMs: number): Promise<void> {
  try {
    await run('rabbitmqctl', ['stop_app'], { timeout: 60_000 });
    await new Promise((r) => setTimeout(r, downMs));
  } finally {
    await run('rabbitmqctl', ['start_app'], { timeout: 120_000 });
    await until('RabbitMQ', rabbitAvailable);
  }
}

/** Shuts Redis down (saving a snapshot), waits `downMs`, starts it with the shared command line. */
export async function restartRedis(downMs: number): Promise<void> {
  try {
    await run('redis-cli', ['shutdown', 'save'], { timeout: 30_000 }).catch(() => undefined);
    await until('Redis shutdown', async () => !(await redisAvailable()), 30_000);
    await new Promise((r) => setTimeout(r, downMs));
  } finally {
    if (!(await redisAvailable())) await run('redis-server', REDIS_START, { timeout: 30_000 });
    await until('Redis', async () => (await redisAvailable()) && (await loaded()));
    await rm(`${REDIS_DIR}/dump.rdb`, { force: true });
  }
}

/** Redis answers PING only once the snapshot is loaded (LOADING before that). */
async function loaded(): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['ping'], { timeout: 5000 });
    return stdout.trim() === 'PONG';
  } catch {
    return false;
  }
}
