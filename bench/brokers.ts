// bench:brokers — host throughput from a broker through a sandboxed trivial
// plugin to the broker ack, as a ratio to a bare client consuming the same
// messages in the same run:
// - RabbitMQ: a bare amqplib consumer (prefetch 1000, one ack per message)
//   vs the AMQP ingress (prefetch 1000), each draining the same N messages;
// - Redis: a bare ioredis XREADGROUP COUNT 100 + XACK loop vs the stream
//   ingress (batchSize 100), each reading the same N entries through a group
//   of its own.
// Both sides are timed from their connect to their last ack, each run after
// a quiet second. What is reported is steady state, as a long-running host
// sees it: WARMUP_ROUNDS rounds of each side come first and are not counted.
// V8 optimizes a path only once it has run hot, and the host's path is much
// longer than a bare client's: a host's successive passes over the stream ran
// at 32k, 47k, 54k, 75k, 79k entries/s (the bare client's at 101k, 128k, then
// ~140-195k), so unwarmed rounds measured the JIT rather than either side.
// Then rounds alternate bare and host; the median of each is reported. Last
// line: one JSON object. BENCH_COUNT (RabbitMQ messages, default 30000),
// BENCH_STREAM_COUNT (stream entries, 100000) and BENCH_ROUNDS (5) tune it.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { Redis } from 'ioredis';
import { Readiness } from '../src/admin/readiness.ts';
import { defaultHostConfig } from '../src/config/host-config.ts';
import type { HostLogger } from '../src/observability/host-logger.ts';
import { Host } from '../src/host/host.ts';
import { AmqpIngress } from '../src/ingress/amqp/amqp-ingress.ts';
import { toBrokersConfig } from '../src/ingress/broker-config.ts';
import { RedisIngress } from '../src/ingress/redis/redis-ingress.ts';
import { median, TRIVIAL_PLUGIN, writeBenchPlugin } from './sandbox-throughput.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 30_000);
// Bare XREADGROUP drains 30,000 entries in ~150-250 ms, short enough that a
// hiccup of the shared machine swings a round by 40%; the stream is read
// 100,000 at a time (RabbitMQ's 30,000 already take a second or more).
const STREAM_COUNT = Number(process.env.BENCH_STREAM_COUNT ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARMUP_ROUNDS = 2;
const QUIET_MS = 1000;
const PREFETCH = 1000;
const READ_COUNT = 100;
const body = (i: number) => JSON.stringify({ orderId: i, amount: 12.5, currency: 'EUR', lines: [{ sku: 'A-1', qty: 2 }] });

const silent: HostLogger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const tag = randomUUID().slice(0, 8);
const queue = `plexus-bench-${tag}`;
const stream = `plexus-bench-${tag}`;

async function fill(): Promise<void> {
  const model = await connect({ protocol: 'amqp', hostname: '127.0.0.1', port: 5672, username: 'guest', password: 'guest', vhost: '/' });
  const channel = await model.createConfirmChannel();
  await channel.assertQueue(queue, { durable: true });
  for (let i = 0; i < COUNT; i++) {
    if (!channel.sendToQueue(queue, Buffer.from(body(i)), { persistent: true })) await new Promise((r) => channel.once('drain', r));
    if (i % 5000 === 4999) await channel.waitForConfirms();
  }
  await channel.waitForConfirms();
  await model.close();
}

/**
 * A pause before each measured run, so that it starts on a quiet machine: the
 * run before it leaves work behind (RabbitMQ writing out its queue after a
 * fill, the host's WAL checkpoint and old-generation GC after a run) that
 * would otherwise be charged to whichever side comes next.
 */
const quiet = () => new Promise((resolve) => setTimeout(resolve, QUIET_MS));

/** Bare amqplib: consume and ack every message; answers messages/s. */
async function bareAmqp(): Promise<number> {
  // Timed from the connect, as the host's run is timed from ingress.start() (which connects).
  const started = performance.now();
  const model = await connect({ protocol: 'amqp', hostname: '127.0.0.1', port: 5672, username: 'guest', password: 'guest', vhost: '/' });
  const channel = await model.createChannel();
  await channel.prefetch(PREFETCH);
  let acked = 0;
  await new Promise<void>((resolve) => {
    void channel.consume(queue, (message) => {
      if (message === null) return;
      JSON.parse(message.content.toString());
      channel.ack(message);
      if (++acked === COUNT) resolve();
    });
  });
  const rate = COUNT / ((performance.now() - started) / 1000);
  await model.close();
  return rate;
}

/** Bare ioredis: XREADGROUP COUNT 100, then XACK the batch; answers entries/s. */
async function bareRedis(group: string): Promise<number> {
  // Timed from the connect, as the host's run is timed from ingress.start() (which connects and creates its group).
  const started = performance.now();
  const redis = new Redis({ lazyConnect: true });
  await redis.connect();
  await redis.call('XGROUP', ['CREATE', stream, group, '0']);
  let acked = 0;
  while (acked < STREAM_COUNT) {
    const reply = (await redis.call('XREADGROUP', ['GROUP', group, 'bare', 'COUNT', READ_COUNT, 'BLOCK', 1000, 'STREAMS', stream, '>'])) as [string, [string, string[]][]] | null;
    const entries = reply?.[1] ?? [];
    for (const [, fields] of entries) JSON.parse(fields[1] as string);
    if (entries.length > 0) await redis.call('XACK', [stream, group, ...entries.map(([id]) => id)]);
    acked += entries.length;
  }
  const rate = STREAM_COUNT / ((performance.now() - started) / 1000);
  redis.disconnect();
  return rate;
}

/** The host's ingress from start until it has acked `count` messages; answers messages/s. */
async function throughHost(ingress: AmqpIngress | RedisIngress, count: number): Promise<number> {
  const started = performance.now();
  await ingress.start();
  while (ingress.stats.acked < count) await new Promise((r) => setTimeout(r, 5));
  const rate = count / ((performance.now() - started) / 1000);
  await ingress.stop();
  return rate;
}

const dir = await mkdtemp(join(tmpdir(), 'plexus-bench-brokers-'));
const redis = new Redis({ lazyConnect: true });
try {
  await redis.connect();
  const root = await writeBenchPlugin(dir, 'trivial', TRIVIAL_PLUGIN);
  await writeFile(join(dir, 'plugins.json'), JSON.stringify({ version: 1, plugins: [{ name: 'trivial', version: '1.0.0', root, enabled: true, grants: [], config: {} }] }));
  const brokers = (round: number) => toBrokersConfig({
    amqp: { bench: { url: 'amqp://127.0.0.1:5672', prefetch: PREFETCH, queues: [{ name: queue, type: 'bench.tick' }] } },
    redis: { bench: { url: 'redis://127.0.0.1:6379', streams: [{ key: stream, group: `host-${round}`, type: 'bench.tick', batchSize: READ_COUNT, maxInFlight: 2000 }] } },
  });
  // The host as configured by default: no tuning that a bare client does not get either.
  const host = await Host.start({ ...defaultHostConfig(dir), brokers: brokers(0) }, { logger: silent });
  const context = (round: number) => ({ host, logger: silent, readiness: new Readiness(), consumerName: `bench-${round}` });
  const results = { bareAmqp: [] as number[], hostAmqp: [] as number[], bareRedis: [] as number[], hostRedis: [] as number[] };
  for (let i = 0; i < STREAM_COUNT; i += 1000) {
    const pipeline = redis.pipeline();
    for (let j = i; j < Math.min(STREAM_COUNT, i + 1000); j++) pipeline.xadd(stream, '*', 'data', body(j));
    await pipeline.exec();
  }
  // Run n (1-based, warm-ups first) names its own groups and consumer, so every run reads the whole stream.
  for (let n = 1; n <= WARMUP_ROUNDS + ROUNDS; n++) {
    const warmup = n <= WARMUP_ROUNDS;
    const config = brokers(n);
    const [amqpSource] = config.amqp;
    const [redisSource] = config.redis;
    if (!amqpSource || !redisSource) throw new Error('bench config lost its sources');
    await fill();
    await quiet();
    const figures = { bareAmqp: await bareAmqp(), hostAmqp: 0, bareRedis: 0, hostRedis: 0 };
    await fill();
    await quiet();
    figures.hostAmqp = await throughHost(new AmqpIngress(amqpSource, context(n)), COUNT);
    await quiet();
    figures.bareRedis = await bareRedis(`bare-${n}`);
    await quiet();
    figures.hostRedis = await throughHost(new RedisIngress(redisSource, context(n)), STREAM_COUNT);
    if (!warmup) for (const key of Object.keys(results) as (keyof typeof results)[]) results[key].push(figures[key]);
    const r = (x: number) => Math.round(x);
    console.log(`${warmup ? 'warm-up' : `round ${n - WARMUP_ROUNDS}`}: amqp bare ${r(figures.bareAmqp)}/s, host ${r(figures.hostAmqp)}/s; redis stream bare ${r(figures.bareRedis)}/s, host ${r(figures.hostRedis)}/s`);
  }
  await host.stop();
  const amqp = { bare: Math.round(median(results.bareAmqp)), host: Math.round(median(results.hostAmqp)) };
  const redisStream = { bare: Math.round(median(results.bareRedis)), host: Math.round(median(results.hostRedis)) };
  console.log(JSON.stringify({
    bench: 'brokers',
    amqpRatio: Number((amqp.host / amqp.bare).toFixed(3)),
    redisStreamRatio: Number((redisStream.host / redisStream.bare).toFixed(3)),
    amqp, redisStream, count: COUNT, streamCount: STREAM_COUNT, rounds: ROUNDS, warmupRounds: WARMUP_ROUNDS, prefetch: PREFETCH, xreadgroupCount: READ_COUNT,
  }));
} finally {
  const model = await connect({ protocol: 'amqp', hostname: '127.0.0.1', port: 5672, username: 'guest', password: 'guest', vhost: '/' }).catch(() => undefined);
  await model?.createChannel().then((c) => c.deleteQueue(queue)).catch(() => undefined);
  await model?.close().catch(() => undefined);
  await redis.del(stream).catch(() => undefined);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
}
