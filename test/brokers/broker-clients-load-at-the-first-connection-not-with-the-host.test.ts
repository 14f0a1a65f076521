// ioredis and amqplib were ~130 ms of CPU at the import of every host, CLI
// command and test process, most of which talk to neither broker. They load
// at the first connection instead. This file imports nothing else first, so
// what is loaded is what the host's modules load. No broker is needed: the
// Redis client is made without connecting, and the AMQP connection is to a
// port nothing listens on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadedPackages } from '../../plugin-sdk/test/helpers/loaded-packages.ts';

const CONNECTION = { url: '', reconnect: { initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2 }, breaker: { failureThreshold: 5, coolDownMs: 1000 }, connectTimeoutMs: 10_000 };

test('importing the host loads neither broker client; the first connection to each loads its own', async () => {
  await import('../../src/host/host.ts');
  await import('../../src/cli/start-command.ts');
  assert.ok(loadedPackages().has('prom-client'), 'the check sees packages the host does load');
  assert.ok(!loadedPackages().has('ioredis'), 'ioredis is loaded with the host');
  assert.ok(!loadedPackages().has('amqplib'), 'amqplib is loaded with the host');

  const { redisClient } = await import('../../src/ingress/redis/redis-client-options.ts');
  const client = await redisClient({ ...CONNECTION, name: 'lazy', url: 'redis://127.0.0.1:9', streams: [], lists: [], pubsub: [] }, 'plexus lazy test');
  client.disconnect();
  assert.ok(loadedPackages().has('ioredis'));
  assert.ok(!loadedPackages().has('amqplib'), 'a Redis connection loads only ioredis');

  const { openAmqpConnection } = await import('../../src/ingress/amqp/amqp-connection.ts');
  await assert.rejects(openAmqpConnection({ ...CONNECTION, name: 'lazy', url: 'amqp://127.0.0.1:9', prefetch: 10, heartbeatSec: 10, queues: [] }, 'plexus lazy test'), /ECONNREFUSED/);
  assert.ok(loadedPackages().has('amqplib'));
});
