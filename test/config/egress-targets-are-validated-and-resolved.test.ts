// The `egress` section is validated like the rest of the host config: every
// refusal is PLEXUS_INVALID_CONFIG naming the path; a target must name a
// connection of its kind under `brokers`, which then need not consume
// anything; names are unique; defaults are filled in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { EGRESS_RETRY } from '../../src/egress/egress-config.ts';
import { assertInvalidConfig, withTempDir, writeConfig } from './config-fixture.ts';

const BROKERS = 'brokers: { amqp: { out: { url: "amqp://127.0.0.1:5672" } }, redis: { cache: { url: "redis://127.0.0.1:6379" } } }';
const egress = (targets: string) => `${BROKERS}\negress: [${targets}]`;

const CASES: [string, string][] = [
  ['egress: { match: "a.b" }', 'egress must be array'],
  [egress('{ broker: out, exchange: x }'), 'egress[0].match is required'],
  [egress('{ match: "a.b", exchange: x }'), 'egress[0].broker is required'],
  [egress('{ match: "a.b", broker: out, exchnage: x }'), 'egress[0].exchnage is not a known field'],
  [egress('{ match: "a.b", broker: cache, stream: s, maxLen: 0 }'), 'egress[0].maxLen must be >= 1'],
  [egress('{ match: [], broker: out, exchange: x }'), 'egress[0].match must NOT have fewer than 1 items'],
  [egress('{ match: "a.b", broker: out, exchange: x, retry: { maxDelayMs: forever } }'), 'egress[0].retry.maxDelayMs must be milliseconds or a duration'],
  [egress('{ match: "a.b", broker: out, exchange: x, name: "has space" }'), 'egress[0].name must match pattern'],
  [egress('{ match: "a.b", broker: out }'), 'egress[0] needs exactly one of exchange (RabbitMQ) or stream (Redis)'],
  [egress('{ match: "a.b", broker: out, exchange: x, stream: s }'), 'egress[0] needs exactly one of exchange (RabbitMQ) or stream (Redis)'],
  [egress('{ match: "a.b", broker: cache, stream: s, routingKey: k }'), 'egress[0].routingKey applies to an exchange target only'],
  [egress('{ match: "a.b", broker: out, exchange: x, maxLen: 10 }'), 'egress[0].maxLen applies to a stream target only'],
  [egress('{ match: "a..b", broker: out, exchange: x }'), 'egress[0].match '],
  [egress('{ match: ["a.b", "c..d"], broker: out, exchange: x }'), 'egress[0].match[1] '],
  [egress('{ match: "a.b", broker: nope, exchange: x }'), 'egress[0].broker "nope" is not a RabbitMQ connection (add it under brokers.amqp)'],
  [egress('{ match: "a.b", broker: out, stream: s }'), 'egress[0].broker "out" is not a Redis connection (add it under brokers.redis)'],
  ['egress: [{ match: "a.b", broker: out, exchange: x }]', 'egress[0].broker "out" is not a RabbitMQ connection'],
  [egress('{ match: "a.b", broker: out, exchange: x }, { match: "c.d", broker: out, exchange: x }'), 'egress[1].name "amqp:out/x" is already the name of egress[0]'],
  // A connection neither consumed nor published through is still refused.
  ['brokers: { amqp: { idle: { url: "amqp://x" } } }', 'brokers.amqp.idle.queues is required'],
  [`${BROKERS}\negress: [{ match: "a.b", broker: out, exchange: x }]`, 'brokers.redis.cache has no streams, lists or pubsub to consume, and no egress target publishes through it'],
];

test('each invalid egress setting is PLEXUS_INVALID_CONFIG naming its path', async () => {
  await withTempDir(async (dir) => {
    for (const [i, [yaml, fragment]] of CASES.entries()) {
      const file = await writeConfig(dir, `case-${i}.yaml`, yaml);
      await assertInvalidConfig(loadConfig({ file, env: {} }), fragment);
    }
  });
});

test('targets resolve against their connections, with defaults; egress-only connections consume nothing', async () => {
  await withTempDir(async (dir) => {
    const file = await writeConfig(dir, 'plexus.yaml', `brokers:
  amqp:
    out: { url: "amqp://127.0.0.1:5672", username: guest, password: "\${RABBIT_PASSWORD}" }
  redis:
    cache: { url: "redis://127.0.0.1:6379" }
egress:
  - match: "orders.*"
    broker: out
    exchange: plexus.out
  - name: audit
    match: ["audit.#", "security.*.alert"]
    broker: cache
    stream: audit
    maxLen: 100000
    batchSize: 500
    concurrency: 1
    confirmTimeoutMs: 5s
    retry: { maxRetries: 20, initialDelayMs: 500ms, maxDelayMs: 1m }
  - match: "tasks.#"
    broker: out
    exchange: ""
    routingKey: tasks
`);
    const loaded = await loadConfig({ file, env: { RABBIT_PASSWORD: 'guest' } });
    const { brokers, egress } = loaded.host;
    assert.deepEqual(brokers?.amqp[0]?.queues, [], 'published through only: no queues');
    assert.deepEqual(brokers?.redis[0]?.streams, []);
    assert.deepEqual(egress, [
      { kind: 'amqp', name: 'amqp:out/plexus.out', lane: 'egress:amqp:out/plexus.out', match: ['orders.*'], broker: 'out', batchSize: 100, concurrency: 2, confirmTimeoutMs: 30_000, retry: EGRESS_RETRY, exchange: 'plexus.out' },
      {
        kind: 'redis', name: 'audit', lane: 'egress:audit', match: ['audit.#', 'security.*.alert'], broker: 'cache', batchSize: 500, concurrency: 1, confirmTimeoutMs: 5000,
        retry: { maxRetries: 20, initialDelayMs: 500, multiplier: 2, maxDelayMs: 60_000 }, stream: 'audit', maxLen: 100_000,
      },
      { kind: 'amqp', name: 'amqp:out/', lane: 'egress:amqp:out/', match: ['tasks.#'], broker: 'out', batchSize: 100, concurrency: 2, confirmTimeoutMs: 30_000, retry: EGRESS_RETRY, exchange: '', routingKey: 'tasks' },
    ]);
  });
});
