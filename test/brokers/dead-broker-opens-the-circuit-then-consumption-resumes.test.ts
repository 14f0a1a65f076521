// A broker that is not there does not spin the CPU: attempts back off and
// the circuit opens after a few failures (readiness says so, without the
// password). When the broker appears, consumption starts; when it dies and
// comes back, consumption resumes; no host restart either time. "The
// broker" is a TCP proxy in front of the shared one, so it can die here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closedPort } from '../cli/cli-fixture.ts';
import { requireService } from '../helpers/services.ts';
import { RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';
import { keys, tally } from './loss-tally.ts';
import { rawRedis } from './redis-helpers.ts';
import { TcpProxy } from './tcp-proxy.ts';

const PASSWORD = 'guest';
const RECONNECT = { initialDelayMs: 20, maxDelayMs: 100 };
const BREAKER = { failureThreshold: 3, coolDownMs: 1000 };

async function deadFor(broker: BrokerHost, name: string, ms: number): Promise<{ attempts: number; cpuMs: number }> {
  const connection = broker.broker(name).connection;
  const before = connection.failedAttempts;
  const cpu = process.cpuUsage();
  await new Promise((r) => setTimeout(r, ms));
  const used = process.cpuUsage(cpu);
  return { attempts: connection.failedAttempts - before, cpuMs: (used.user + used.system) / 1000 };
}

/** Every message handled; at least once, so one whose ack was cut with the connection may run twice. */
async function assertNoneLost(broker: BrokerHost): Promise<void> {
  const { lost } = await tally([...keys(20, 'first-'), ...keys(20, 'second-')], [(key) => broker.seen(key)]);
  assert.equal(lost, 0, `${lost} of 40 messages never handled`);
}

test('RabbitMQ: a dead broker opens the circuit; consumption starts and resumes when it is back', { timeout: 90_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const port = await closedPort();
  const queue = uniqueName('circuit');
  const raw = await RawAmqp.open();
  await raw.channel.assertQueue(queue, { durable: true });
  const broker = await BrokerHost.start({
    brokers: { amqp: { main: { url: `amqp://127.0.0.1:${port}`, username: 'guest', password: PASSWORD, reconnect: RECONNECT, breaker: BREAKER, queues: [{ name: queue, type: 'circuit.test' }] } } },
  });
  let proxy: TcpProxy | undefined;
  try {
    const dead = await deadFor(broker, 'amqp:main', 2500);
    t.diagnostic(`dead RabbitMQ for 2.5 s: ${dead.attempts} connection attempts, ${dead.cpuMs.toFixed(0)} ms CPU`);
    // Without the breaker: ~2500 / 75 ≈ 33 attempts. With it: three, then one trial per cool-down.
    assert.ok(dead.attempts <= 8, `${dead.attempts} attempts in 2.5 s`);
    const report = await broker.readiness.run();
    assert.equal(report.ready, false);
    const check = report.checks.find((c) => c.name === 'amqp:main');
    assert.match(check?.reason ?? '', /circuit open|waiting|connecting/);

    for (let i = 0; i < 20; i++) raw.publish('', queue, JSON.stringify({ n: `first-${i}` }));
    proxy = await TcpProxy.listen(port, 5672);
    await waitFor('consumption started without a restart', async () => (await broker.seen('first-19')) === 1, 20_000);
    assert.equal((await broker.readiness.run()).ready, true);

    await proxy.close();
    await waitFor('the loss noticed', () => broker.broker('amqp:main').connection.state !== 'connected', 10_000);
    for (let i = 0; i < 20; i++) raw.publish('', queue, JSON.stringify({ n: `second-${i}` }));
    proxy = await TcpProxy.listen(port, 5672);
    await waitFor('consumption resumed', async () => (await broker.seen('second-19')) === 1, 20_000);
    await assertNoneLost(broker);
    assert.ok(!broker.logger.text.includes(`"${PASSWORD}"`), 'the password is never logged');
  } finally {
    await broker.stop();
    await proxy?.close();
    await raw.cleanup([queue]);
  }
});

test('Redis: a dead broker opens the circuit; consumption starts and resumes when it is back', { timeout: 90_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const port = await closedPort();
  const stream = uniqueName('circuit');
  const redis = await rawRedis();
  const broker = await BrokerHost.start({
    brokers: { redis: { main: { url: `redis://127.0.0.1:${port}`, reconnect: RECONNECT, breaker: BREAKER, streams: [{ key: stream, group: 'g', type: 'circuit.test', blockMs: 200 }] } } },
  });
  let proxy: TcpProxy | undefined;
  try {
    const dead = await deadFor(broker, 'redis:main', 2500);
    t.diagnostic(`dead Redis for 2.5 s: ${dead.attempts} connection attempts, ${dead.cpuMs.toFixed(0)} ms CPU`);
    assert.ok(dead.attempts <= 8, `${dead.attempts} attempts in 2.5 s`);
    assert.equal((await broker.readiness.run()).ready, false);

    for (let i = 0; i < 20; i++) await redis.xadd(stream, '*', 'n', `first-${i}`);
    proxy = await TcpProxy.listen(port, 6379);
    await waitFor('consumption started without a restart', async () => (await broker.seen('first-19')) === 1, 20_000);
    assert.equal((await broker.readiness.run()).ready, true);

    await proxy.close();
    await waitFor('the loss noticed', () => broker.broker('redis:main').connection.state !== 'connected', 10_000);
    for (let i = 0; i < 20; i++) await redis.xadd(stream, '*', 'n', `second-${i}`);
    proxy = await TcpProxy.listen(port, 6379);
    await waitFor('consumption resumed', async () => (await broker.seen('second-19')) === 1, 20_000);
    await assertNoneLost(broker);
  } finally {
    await broker.stop();
    await proxy?.close();
    await redis.del(stream);
    redis.disconnect();
  }
});
