// Measures the two hot batch writes on both stores: accept of 1,000 events
// with one delivery each, then settle of those 1,000 deliveries as 'done'.
// Run: npx node --disable-warning=ExperimentalWarning test/store/bench-store.ts [rounds]
// (not a test: timings belong in a report, not in a pass/fail bound).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RedisStore } from '../../src/store/redis-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { AcceptInput, Store } from '../../src/store/store.ts';
import { REDIS_URL, redisReachable } from './redis-reachable.ts';

const N = 1000;
const rounds = Number(process.argv[2] ?? 10);

function inputs(round: number): AcceptInput[] {
  const acceptedAt = Date.now();
  return Array.from({ length: N }, (_, i) => ({
    event: { specversion: '1.0', id: `r${round}-${i}`, source: 'bench', type: 'orders.eu.created', time: new Date(acceptedAt).toISOString(), idempotencykey: `r${round}-${i}`, data: { order: i, lines: [{ sku: 'A-1', qty: 2 }], note: 'x'.repeat(200) } },
    acceptedAt,
    deliveries: [{ id: randomUUID(), plugin: 'order-enricher' }],
  }));
}

async function bench(name: string, store: Store): Promise<void> {
  const accept: number[] = [];
  const settle: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const batch = inputs(round);
    let start = performance.now();
    const { created } = await store.accept(batch, 86_400_000);
    accept.push(performance.now() - start);
    start = performance.now();
    await store.settle(created.map((d) => ({ kind: 'done', deliveryId: d.id })), [], 86_400_000);
    settle.push(performance.now() - start);
  }
  const stats = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return `median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)} ms, min ${sorted[0]?.toFixed(1)} ms, max ${sorted[sorted.length - 1]?.toFixed(1)} ms`;
  };
  console.log(`${name}: accept ${N} → ${stats(accept)}; settle ${N} done → ${stats(settle)} (${rounds} rounds)`);
}

const dir = await mkdtemp(join(tmpdir(), 'plexus-bench-'));
const sqlite = SqliteStore.open(join(dir, 'plexus.db'));
await bench('SQLite (file, WAL)', sqlite);
await sqlite.close();
await rm(dir, { recursive: true, force: true });

if (await redisReachable()) {
  const redis = await RedisStore.connect({ url: REDIS_URL, prefix: `plexus-bench:${randomUUID()}:` });
  try {
    await bench('Redis', redis);
  } finally {
    await redis.destroyAll();
    await redis.close();
  }
} else {
  console.log('Redis: not reachable, skipped');
}
