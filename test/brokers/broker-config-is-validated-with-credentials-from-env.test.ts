// The `brokers` section is validated like the rest of the host config: a
// refusal is PLEXUS_INVALID_CONFIG naming the path; credentials come from
// env references and never appear in a refusal; defaults are filled in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { assertInvalidConfig, withTempDir, writeConfig } from '../config/config-fixture.ts';

const AMQP = (queue: string, extra = '') => `brokers: { amqp: { main: { url: "amqp://127.0.0.1:5672", queues: [${queue}]${extra} } } }`;

const CASES: [string, string][] = [
  ['brokers: { amqp: { main: { url: "http://x", queues: [{ name: q }] } } }', 'brokers.amqp.main.url scheme must be amqp: or amqps:'],
  ['brokers: { amqp: { main: { url: "amqp://x" } } }', 'brokers.amqp.main.queues is required'],
  [AMQP('{ name: q, durable: true }'), 'brokers.amqp.main.queues[0].durable is not a known field'],
  [AMQP('{ name: q, kind: stream }'), 'brokers.amqp.main.queues[0].kind must be one of'],
  [AMQP('{ name: q, maxPriority: 300 }'), 'brokers.amqp.main.queues[0].maxPriority must be <= 255'],
  [AMQP('{ name: q, messageTtlMs: soon }'), 'brokers.amqp.main.queues[0].messageTtlMs must be milliseconds or a duration'],
  [AMQP('{ name: q }', ', prefetch: 0'), 'brokers.amqp.main.prefetch must be >= 1'],
  [AMQP('{ name: q }', ', breaker: { failureThreshold: 0 }'), 'brokers.amqp.main.breaker.failureThreshold must be >= 1'],
  [AMQP('{ name: q }', ', connectTimeoutMs: 0'), 'brokers.amqp.main.connectTimeoutMs must be > 0'],
  ['brokers: { redis: { main: { url: "redis://x", connectTimeoutMs: later } } }', 'brokers.redis.main.connectTimeoutMs must be milliseconds or a duration'],
  ['brokers: { amqp: { "bad-name": { url: "amqp://x", queues: [{ name: q }] } } }', 'brokers.amqp["bad-name"] is not a valid name'],
  ['brokers: { redis: { main: { url: "redis://x", streams: [{ group: g }] } } }', 'brokers.redis.main.streams[0].key is required'],
  ['brokers: { redis: { main: { url: "redis://x", pubsub: [{ type: a.b }] } } }', 'brokers.redis.main.pubsub[0]'],
  ['brokers: { kafka: {} }', 'brokers.kafka is not a known field'],
];

test('each invalid broker setting is PLEXUS_INVALID_CONFIG naming its path', async () => {
  await withTempDir(async (dir) => {
    for (const [yaml, fragment] of CASES) {
      const file = await writeConfig(dir, 'plexus.yaml', yaml);
      await assertInvalidConfig(loadConfig({ file, env: {} }), fragment);
    }
  });
});

test('rules across fields are refused at load with the path', async () => {
  await withTempDir(async (dir) => {
    const cases: [string, string][] = [
      [AMQP('{ name: q, kind: quorum, maxPriority: 5 }'), 'brokers.amqp.main.queues[0].maxPriority is not supported by quorum queues'],
      [AMQP('{ name: q, declare: false, maxPriority: 5 }'), 'brokers.amqp.main.queues[0] sets queue arguments but declare is false'],
      [AMQP('{ name: q, bindings: ["a..b"] }'), 'brokers.amqp.main.queues[0].bindings[0]'],
      ['brokers: { redis: { main: { url: "redis://x" } } }', 'brokers.redis.main has no streams, lists or pubsub'],
    ];
    for (const [yaml, fragment] of cases) {
      const file = await writeConfig(dir, 'plexus.yaml', yaml);
      await assertInvalidConfig(loadConfig({ file, env: {} }), fragment);
    }
  });
});

test('credentials come from env references; a refusal names the variable, never a value', async () => {
  await withTempDir(async (dir) => {
    const secret = 's3cret-from-the-env';
    const file = await writeConfig(dir, 'plexus.yaml', `brokers:
  amqp:
    orders:
      url: amqp://rabbit.internal:5672/prod
      username: \${RABBIT_USER}
      password: \${RABBIT_PASSWORD}
      queues: [{ name: orders, bindings: ["orders.#"], messageTtlMs: 1h }]
  redis:
    events:
      url: rediss://redis.internal:6380/2
      password: \${REDIS_PASSWORD}
      streams: [{ key: events }]
      lists: [{ key: tasks }]
      pubsub: [{ pattern: "events:*" }]
`);
    const loaded = await loadConfig({ file, env: { RABBIT_USER: 'plexus', RABBIT_PASSWORD: secret, REDIS_PASSWORD: secret } });
    const brokers = loaded.host.brokers;
    assert.ok(brokers);
    const amqp = brokers.amqp[0];
    assert.equal(amqp?.name, 'orders');
    assert.equal(amqp?.username, 'plexus');
    assert.equal(amqp?.password, secret);
    assert.equal(amqp?.prefetch, 100);
    assert.deepEqual(amqp?.reconnect, { initialDelayMs: 100, maxDelayMs: 10_000, multiplier: 2 });
    assert.equal(amqp?.connectTimeoutMs, 10_000);
    assert.deepEqual(amqp?.queues[0], { name: 'orders', declare: true, kind: 'classic', bindings: ['orders.#'], bindSubscriptions: false, messageTtlMs: 3_600_000 });
    const redis = brokers.redis[0];
    assert.equal(redis?.password, secret);
    assert.deepEqual(redis?.streams[0], { key: 'events', group: 'plexus', batchSize: 100, blockMs: 1000, claimIdleMs: 60_000, start: '0', maxInFlight: 1000 });
    assert.deepEqual(redis?.lists[0], { key: 'tasks', end: 'left', batchSize: 100, maxInFlight: 1000 });
    assert.deepEqual(redis?.pubsub[0], { pattern: 'events:*', maxInFlight: 10_000 });

    const refused = await assertInvalidConfig(loadConfig({ file, env: { RABBIT_USER: 'plexus', REDIS_PASSWORD: secret } }), 'brokers.amqp.orders.password', '${RABBIT_PASSWORD}');
    assert.ok(!refused.message.includes(secret));
  });
});
