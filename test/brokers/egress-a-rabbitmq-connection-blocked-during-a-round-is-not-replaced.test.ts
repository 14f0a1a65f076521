// A publish round that gets no confirm at all within confirmTimeoutMs ends
// the egress session (a silent connection is replaced). A connection
// RabbitMQ blocks under a resource alarm is not silent: the broker said so
// (connection.blocked) and stops reading it on purpose, and a new
// connection would be blocked too. A round already waiting when the block
// comes times out and fails, but the connection stays, and once the alarm
// clears it publishes again.
//
// Driven on the session itself, so that the block lands while a round is
// waiting for its confirms (through a host, that would be a race).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { AmqpPublishSession } from '../../src/egress/amqp-publish-session.ts';
import { publishingBrokers, toEgressConfig, type ExchangeTarget } from '../../src/egress/egress-config.ts';
import type { BrokersDocument } from '../../src/ingress/broker-config-schema.ts';
import { settledWithin } from '../../src/ingress/broker-reconnect-delay.ts';
import { toBrokersConfig } from '../../src/ingress/broker-config.ts';
import { requireService } from '../helpers/services.ts';
import { RawAmqp } from './amqp-helpers.ts';
import { uniqueName, waitFor } from './broker-fixture.ts';
import { BlockingAmqpProxy } from './egress-blocking-amqp-proxy.ts';

function events(count: number): PlexusEvent[] {
  return Array.from({ length: count }, (_, n) => ({ specversion: '1.0', id: randomUUID(), source: 'test/egress', type: 'orders.created', datacontenttype: 'application/json', data: { n } }));
}

test('a round waiting when RabbitMQ blocks the connection fails, but the connection is kept and publishes once unblocked', { timeout: 30_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const exchange = uniqueName('egress-blocked-round');
  const queue = uniqueName('egress-blocked-round-sink');
  const raw = await RawAmqp.open();
  const ids = new Set<string>();
  await raw.sink(exchange, queue, '#', (m) => ids.add(String(m.properties.messageId)));
  const proxy = await BlockingAmqpProxy.listen(5672);
  const brokers: BrokersDocument = { amqp: { out: { url: `amqp://127.0.0.1:${proxy.port}`, username: 'guest', password: 'guest', heartbeatSec: 0 } } };
  const targets = toEgressConfig([{ name: 'alarmed', match: 'orders.#', broker: 'out', exchange, confirmTimeoutMs: '1s' }], brokers) as ExchangeTarget[];
  const target = targets[0] as ExchangeTarget;
  const source = toBrokersConfig(brokers, publishingBrokers(targets)).amqp[0];
  assert.ok(source);
  const session = await AmqpPublishSession.open(source, targets);
  try {
    const first = events(3);
    const round = session.publish(target, first);
    // The publishes are on their way: the proxy holds them back from here on, as a blocked broker leaves them unread.
    proxy.block('low on disk');
    const results = await round;
    assert.ok(results.every((r) => r instanceof Error && /not confirmed within 1000 ms/.test(r.message)), 'the waiting round timed out');
    assert.equal(proxy.heldPublishes, first.length, 'its publishes were held back by the block');
    assert.equal(await settledWithin(session.lost, 300), undefined, 'a blocked connection is not taken for a silent one');

    proxy.unblock();
    // connection.unblocked is on its way to the client: give it a moment to arrive.
    await new Promise((r) => setTimeout(r, 300));
    const second = events(2);
    assert.deepEqual(await session.publish(target, second), [undefined, undefined], 'the same connection publishes once unblocked');
    // The timed-out round reached the broker after the alarm: its retry would be a duplicate, never a loss.
    await waitFor('both rounds in the queue', () => [...first, ...second].every((e) => ids.has(e.id)), 5_000);
    assert.equal(await settledWithin(session.lost, 0), undefined);
  } finally {
    await session.close();
    await proxy.close();
    await raw.cleanup([queue], [exchange]);
  }
});
