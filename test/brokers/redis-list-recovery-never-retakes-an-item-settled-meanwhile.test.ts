// At the start of a session the list consumer reads its processing list
// (LRANGE, in pages) and takes again what it does not hold any more. An item of the
// previous session that settles while that read is on its way must not be
// among them: its removal waits until the read is answered, so the item is
// either still held (and subtracted) or already removed, never taken twice.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { Redis } from 'ioredis';
import { BrokerStats } from '../../src/ingress/broker-stats.ts';
import type { BrokerIntake } from '../../src/ingress/broker-intake.ts';
import type { BrokerMessage } from '../../src/ingress/broker-message.ts';
import type { RedisListConfig } from '../../src/ingress/broker-config.ts';
import { RedisListConsumer } from '../../src/ingress/redis/redis-list-consumer.ts';
import type { ConsumerRun } from '../../src/ingress/redis/redis-session.ts';
import { requireService } from '../helpers/services.ts';
import { rawRedis } from './redis-helpers.ts';

function session(commands: Redis, reader: Redis): { run: ConsumerRun; end(): void } {
  let stop = () => undefined as void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const state = { active: true };
  return { run: { get active() { return state.active; }, stopped, reader, commands }, end: () => { state.active = false; stop(); } };
}

test('an item settled while recovery reads the processing list is not taken again', { timeout: 30_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const key = `plexus-test-list-recovery-${randomUUID().slice(0, 8)}`;
  const taken: { item: string; message: BrokerMessage }[] = [];
  const intake = { get pending() { return 0; }, below: () => Promise.resolve(), take: async (messages: BrokerMessage[]) => void taken.push(...messages.map((message) => ({ item: message.body.toString(), message }))) };
  const admin = await rawRedis();
  const consumer = new RedisListConsumer({ key, end: 'left', batchSize: 10, maxInFlight: 100 } as RedisListConfig, 'me', intake as unknown as BrokerIntake, new BrokerStats());
  const connections: Redis[] = [];
  const connection = async () => { const c = await rawRedis(); connections.push(c); return c; };
  try {
    await admin.rpush(key, 'a', 'b', 'c');
    // Session 1 takes all three and is lost with them still held.
    const first = session(await connection(), await connection());
    const loop = consumer.run(first.run);
    while (taken.length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    first.end();
    await loop;
    // Session 2: 'a' settles right after its recovery sent LRANGE.
    const commands = await connection();
    const call = commands.callBuffer.bind(commands);
    let armed = true;
    (commands as unknown as { callBuffer: (command: string, args: unknown[]) => Promise<unknown> }).callBuffer = (command, args) => {
      const reply = call(command, args as never);
      // LRANGE, or the script that reads the processing list a page at a time (the only EVAL on this connection).
      if ((command === 'LRANGE' || command === 'EVAL') && armed) {
        armed = false;
        taken.find((x) => x.item === 'a')?.message.ack();
      }
      return reply;
    };
    const second = session(commands, await connection());
    const loop2 = consumer.run(second.run);
    await new Promise((resolve) => setTimeout(resolve, 300));
    second.end();
    await loop2;
    assert.deepEqual(taken.map((x) => x.item), ['a', 'b', 'c'], 'nothing was taken a second time');
    assert.deepEqual(await admin.lrange(consumer.processingKey, 0, -1), ['b', 'c'], "'a' is removed once");
  } finally {
    await admin.del(key, consumer.processingKey);
    admin.disconnect();
    for (const c of connections) c.disconnect();
  }
});
