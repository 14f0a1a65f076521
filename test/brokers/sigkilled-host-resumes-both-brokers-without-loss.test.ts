// Fault test: `plexus start` consuming a RabbitMQ queue and a Redis stream is
// killed with SIGKILL mid-stream, twice, and started again on the same state
// dir. Unacknowledged messages come back (RabbitMQ requeues them, the stream
// keeps them pending for this host's consumer name), so afterwards every
// message was handled, none lost; duplicates are counted and reported.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { closedPort } from '../cli/cli-fixture.ts';
import { requireService } from '../helpers/services.ts';
import { RawAmqp } from './amqp-helpers.ts';
import { ResilientPublisher } from './amqp-resilient-publisher.ts';
import { COUNTER, uniqueName, waitFor, writeCounterState } from './broker-fixture.ts';
import { keys, tally } from './loss-tally.ts';
import { groupLag, pendingCount, rawRedis } from './redis-helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COUNT = 10_000;
const KILLS = 2;

function startHost(config: string): ChildProcess {
  return spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'start', '--config', config], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, RABBIT_PASSWORD: 'guest', PLEXUS_LOG_LEVEL: 'error' },
  });
}

async function ready(url: string): Promise<void> {
  await waitFor('the host ready (store, sandbox, amqp:main, redis:main)', async () => {
    try {
      return (await fetch(`${url}/readyz`)).ok;
    } catch {
      return false;
    }
  }, 60_000);
}

test('a host killed with SIGKILL mid-stream and started again loses no broker message', { timeout: 240_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq')) || !(await requireService(t, 'redis'))) return;
  const stateDir = await mkdtemp(join(tmpdir(), 'plexus-broker-kill-'));
  const queue = uniqueName('kill');
  const stream = uniqueName('kill');
  const redis = await rawRedis();
  const publisher = new ResilientPublisher();
  const port = await closedPort();
  const url = `http://127.0.0.1:${port}`;
  const config = join(stateDir, 'plexus.yaml');
  await writeCounterState(stateDir, ['#']);
  await writeFile(config, `stateDir: ${stateDir}
adminListen: 127.0.0.1:${port}
listen: 127.0.0.1:0
brokers:
  amqp:
    main:
      url: amqp://127.0.0.1:5672
      username: guest
      password: \${RABBIT_PASSWORD}
      prefetch: 200
      queues: [{ name: ${queue}, type: kill.amqp }]
  redis:
    main:
      url: redis://127.0.0.1:6379
      streams: [{ key: ${stream}, group: g, type: kill.redis, blockMs: 200, claimIdleMs: 10s }]
`);
  let host = startHost(config);
  try {
    await ready(url);
    const publishing = Promise.all([
      publisher.run('', queue, COUNT, (i) => JSON.stringify({ n: `a-${i}` }), { chunk: 250, pauseMs: 10 }),
      (async () => {
        for (let start = 0; start < COUNT; start += 250) {
          const pipeline = redis.pipeline();
          for (let i = start; i < start + 250; i++) pipeline.xadd(stream, '*', 'n', `r-${i}`);
          await pipeline.exec();
          await new Promise((r) => setTimeout(r, 10));
        }
      })(),
    ]);
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 700 + Math.random() * 600));
      host.kill('SIGKILL');
      await new Promise((r) => host.once('exit', r));
      host = startHost(config);
      await ready(url);
    }
    await publishing;
    // Read the running host's SQLite store (WAL: readers do not block it) until every message was handled.
    const store = await SqliteStore.open(join(stateDir, 'plexus.db'));
    const all = [...keys(COUNT, 'a-'), ...keys(COUNT, 'r-')];
    const seen = async (key: string | number) => Number((await store.kvGet(COUNTER, `seen:${key}`, Date.now())) ?? 0);
    // A timeout here is reported below as the number lost.
    await waitFor('every message handled', async () => (await Promise.all(all.map(seen))).every((n) => n > 0), 90_000).catch(() => undefined);
    const raw = await RawAmqp.open();
    await waitFor('queue and stream acknowledged', async () => (await raw.settle(queue)) === 0 && (await pendingCount(redis, stream, 'g')) === 0 && (await groupLag(redis, stream, 'g')) === 0, 30_000).catch(() => undefined);
    host.kill('SIGTERM');
    assert.equal(await new Promise((r) => host.once('exit', r)), 0, 'SIGTERM exits 0');
    await raw.cleanup([queue]);
    const { lost, duplicates } = await tally(all, [seen]);
    await store.close();
    t.diagnostic(`sigkill: ${KILLS} kills, ${COUNT} RabbitMQ messages + ${COUNT} stream entries, ${duplicates} duplicate executions, ${lost} lost`);
    assert.equal(lost, 0, `${lost} messages were never handled`);
  } finally {
    if (host.exitCode === null) host.kill('SIGKILL');
    await publisher.close();
    await redis.del(stream).catch(() => undefined);
    redis.disconnect();
    await rm(stateDir, { recursive: true, force: true });
  }
});
