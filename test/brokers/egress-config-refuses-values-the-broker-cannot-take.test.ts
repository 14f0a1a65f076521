// Target settings the schema would let through but the broker (or its
// client) refuses on every publish. Accepted at load, such a target would
// never publish anything and, retried without limit by default, never
// dead-letter either. Each is refused at load as PLEXUS_INVALID_CONFIG
// naming the field, and the largest value that is taken works:
// - maxLen goes to Redis as XADD MAXLEN ~ <n>, the number written out by the
//   client: 1e30 becomes "1e+30", which Redis refuses ("value is not an
//   integer or out of range");
// - exchange and routingKey are AMQP short strings, at most 255 bytes:
//   255 characters of "é" are 510, and amqplib throws on every publish.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { requireService } from '../helpers/services.ts';
import { assertInvalidConfig, withTempDir, writeConfig } from '../config/config-fixture.ts';
import { RawAmqp } from './amqp-helpers.ts';
import { uniqueName } from './broker-fixture.ts';
import { rawRedis } from './redis-helpers.ts';

// One connection per document: one no target publishes through (and consuming nothing) is refused.
const streamTarget = (target: string) => `brokers: { redis: { cache: { url: "redis://127.0.0.1:6379" } } }\negress: [{ match: "a.b", broker: cache, stream: s, ${target} }]`;
const exchangeTarget = (target: string) => `brokers: { amqp: { out: { url: "amqp://127.0.0.1:5672" } } }\negress: [{ match: "a.b", broker: out, ${target} }]`;

test('a maxLen Redis cannot take is PLEXUS_INVALID_CONFIG; the largest one taken works with Redis', async (t) => {
  await withTempDir(async (dir) => {
    for (const maxLen of ['1e30', '10000000000000000000']) {
      const file = await writeConfig(dir, 'too-large.yaml', streamTarget(`maxLen: ${maxLen}`));
      await assertInvalidConfig(loadConfig({ file, env: {} }), 'egress[0].maxLen must be <=');
    }
    const file = await writeConfig(dir, 'largest.yaml', streamTarget(`maxLen: ${Number.MAX_SAFE_INTEGER}`));
    const target = (await loadConfig({ file, env: {} })).host.egress?.[0];
    assert.ok(target?.kind === 'redis' && target.maxLen === Number.MAX_SAFE_INTEGER);
    if (!(await requireService(t, 'redis'))) return;
    const redis = await rawRedis();
    const stream = uniqueName('egress-maxlen');
    try {
      assert.equal(typeof (await redis.call('XADD', [stream, 'MAXLEN', '~', target.maxLen, '*', 'event', '{}'])), 'string');
    } finally {
      await redis.del(stream);
      redis.disconnect();
    }
  });
});

test('an exchange or routingKey over 255 bytes is PLEXUS_INVALID_CONFIG; 255 bytes are taken by amqplib', async (t) => {
  await withTempDir(async (dir) => {
    const long = 'é'.repeat(200);
    for (const [target, fragment] of [
      [`exchange: x, routingKey: "${long}"`, 'egress[0].routingKey must be at most 255 bytes'],
      [`exchange: "${long}"`, 'egress[0].exchange must be at most 255 bytes'],
    ] as const) {
      const file = await writeConfig(dir, 'too-long.yaml', exchangeTarget(target));
      await assertInvalidConfig(loadConfig({ file, env: {} }), fragment);
    }
    const largest = `${'é'.repeat(127)}x`;
    const file = await writeConfig(dir, 'largest.yaml', exchangeTarget(`exchange: amq.topic, routingKey: "${largest}"`));
    const target = (await loadConfig({ file, env: {} })).host.egress?.[0];
    assert.ok(target?.kind === 'amqp' && target.routingKey === largest && Buffer.byteLength(largest) === 255);
    if (!(await requireService(t, 'rabbitmq'))) return;
    const raw = await RawAmqp.open();
    try {
      raw.publish('amq.topic', largest, '{}');
      await raw.channel.checkExchange('amq.topic');
    } finally {
      await raw.cleanup([]);
    }
  });
});
