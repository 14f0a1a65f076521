// A queue that already exists with other arguments than the config asks for
// (here x-message-ttl) fails the declare with PRECONDITION_FAILED, which
// closes the channel. The host must say which queue and which argument (in
// the log and /readyz), and retry with backoff, not hammer the broker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireService } from '../helpers/services.ts';
import { AMQP_URL, RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName } from './broker-fixture.ts';

test('a queue declared with conflicting arguments is named in /readyz and retried with backoff', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const queue = uniqueName('conflicting');
  const raw = await RawAmqp.open();
  await raw.channel.assertQueue(queue, { durable: true, arguments: { 'x-message-ttl': 1000 } });
  const broker = await BrokerHost.start({ brokers: { amqp: { main: { url: AMQP_URL, queues: [{ name: queue, messageTtlMs: 5000 }] } } } });
  const connection = broker.broker('amqp:main').connection;
  try {
    await new Promise((r) => setTimeout(r, 3000));
    // Default backoff: 100 ms doubling, half of it jitter; a tight loop would make hundreds.
    assert.ok(connection.failedAttempts >= 2 && connection.failedAttempts <= 8, `attempts in 3 s: ${connection.failedAttempts}`);
    await assert.rejects(connection.check(), (err: Error & { code?: string }) => err.code === 'PLEXUS_UNAVAILABLE' && err.message.includes(`queue '${queue}'`) && err.message.includes("inequivalent arg 'x-message-ttl'"));
    const failures = broker.logger.lines.filter((l) => l.message === 'broker connection failed; retrying');
    assert.equal(failures.length, 1, 'the first failure is logged, then only every tenth');
    assert.match(String((failures[0]?.fields as { err?: unknown }).err), /inequivalent arg 'x-message-ttl'/);
  } finally {
    await broker.stop();
    await raw.cleanup([queue]);
  }
});
