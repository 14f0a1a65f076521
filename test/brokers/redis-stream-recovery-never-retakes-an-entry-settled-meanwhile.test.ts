// At the start of a session the stream consumer re-reads its own pending
// entries (XREADGROUP from 0) and takes again those it does not hold. An
// entry of the previous session that settles while that read's reply is
// still on its way must not be among them: its XACK and the read must be
// answered in the order Redis ran them, so the entry is either still held
// (and skipped) or already acknowledged (and not in the reply), never taken
// (and run) a second time.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { Redis } from 'ioredis';
import { BrokerStats } from '../../src/ingress/broker-stats.ts';
import type { BrokerIntake } from '../../src/ingress/broker-intake.ts';
import type { BrokerMessage } from '../../src/ingress/broker-message.ts';
import type { RedisStreamConfig } from '../../src/ingress/broker-config.ts';
import { RedisStreamConsumer } from '../../src/ingress/redis/redis-stream-consumer.ts';
import type { ConsumerRun } from '../../src/ingress/redis/redis-session.ts';
import { requireService } from '../helpers/services.ts';
import { pendingCount, rawRedis } from './redis-helpers.ts';

function session(commands: Redis, reader: Redis): { run: ConsumerRun; end(): void } {
  let stop = () => undefined as void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const state = { active: true };
  return { run: { get active() { return state.active; }, stopped, reader, commands }, end: () => { state.active = false; stop(); } };
}

type Call = (command: string, args: unknown[]) => Promise<unknown>;

/**
 * A connection whose replies arrive late after `slow` matches a command, the
 * way a large reply crosses a slow link: that reply comes `delayMs` late, and
 * every reply behind it on the same connection after it (a connection
 * answers in order). `onSlow` runs once the slow command is on its way.
 */
function slowAfter(client: Redis, slow: (command: string, args: unknown[]) => boolean, delayMs: number, onSlow: () => void): void {
  let previous: Promise<unknown> = Promise.resolve();
  for (const method of ['call', 'callBuffer'] as const) {
    const target = client as unknown as Record<typeof method, Call>;
    const original = target[method].bind(client);
    target[method] = (command, args) => {
      const sent = original(command, args);
      const isSlow = slow(command, args);
      const before = previous;
      const reply = sent.then(
        async (value) => { await before.catch(() => undefined); if (isSlow) await new Promise((r) => setTimeout(r, delayMs)); return value; },
        async (err: unknown) => { await before.catch(() => undefined); throw err; },
      );
      previous = reply;
      if (isSlow) onSlow();
      return reply;
    };
  }
}

test('an entry settled while recovery reads the pending entries is not taken again', { timeout: 30_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const key = `plexus-test-stream-recovery-${randomUUID().slice(0, 8)}`;
  const taken: { id: string; message: BrokerMessage }[] = [];
  const intake = { take: async (messages: BrokerMessage[]) => void taken.push(...messages.map((message) => ({ id: message.decoded.ok ? message.decoded.event.id : '?', message }))) };
  const admin = await rawRedis();
  const config: RedisStreamConfig = { key, group: 'g', batchSize: 10, blockMs: 100, claimIdleMs: 60_000, start: '0', maxInFlight: 100 };
  const consumer = new RedisStreamConsumer(config, 'me', intake as unknown as BrokerIntake, new BrokerStats());
  const connections: Redis[] = [];
  const connection = async () => { const c = await rawRedis(); connections.push(c); return c; };
  try {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push(String(await admin.call('XADD', [key, '*', 'type', 'recovery.test', 'n', String(n)])));
    // Session 1 takes all three and is lost with them still held.
    const first = session(await connection(), await connection());
    const loop = consumer.run(first.run);
    while (taken.length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    first.end();
    await loop;
    // Session 2: the first entry settles right after recovery sent its read of the pending entries.
    const settleFirst = () => taken.find((x) => x.id === ids[0])?.message.ack();
    const recoveryRead = (command: string, args: unknown[]) => command === 'XREADGROUP' && args[args.length - 1] === '0';
    const commands = await connection();
    const reader = await connection();
    let armed = true;
    const onSlow = () => {
      if (!armed) return;
      armed = false;
      settleFirst();
    };
    slowAfter(commands, recoveryRead, 300, onSlow);
    slowAfter(reader, recoveryRead, 300, onSlow);
    const second = session(commands, reader);
    const loop2 = consumer.run(second.run);
    await new Promise((resolve) => setTimeout(resolve, 800));
    second.end();
    await loop2;
    assert.deepEqual(taken.map((x) => x.id), ids, 'nothing was taken a second time');
    for (const x of taken.slice(1)) x.message.ack();
    await consumer.flush();
    assert.equal(await pendingCount(admin, key, 'g'), 0, 'all three acknowledged');
  } finally {
    await consumer.flush().catch(() => undefined);
    for (const c of connections) c.disconnect();
    await admin.del(key);
    admin.disconnect();
  }
});
