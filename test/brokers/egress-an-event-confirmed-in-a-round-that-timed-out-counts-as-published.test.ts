// A publish round that times out (confirmTimeoutMs) fails the events whose
// confirm did not come. An event of that round that RabbitMQ did confirm in
// time counts as published: failed with the rest, it was retried and
// published again, a duplicate of a message the broker had confirmed (and
// plexus_egress_published_total missed it). A confirm withheld, not the
// round, is what makes a retry a duplicate.
//
// Driven on the session itself, so that exactly the first message of the
// round is confirmed (the proxy withholds the rest).
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
import { AckWithholdingAmqpProxy } from './ack-withholding-amqp-proxy.ts';
import { RawAmqp } from './amqp-helpers.ts';
import { uniqueName, waitFor } from './broker-fixture.ts';

function events(count: number): PlexusEvent[] {
  return Array.from({ length: count }, (_, n) => ({ specversion: '1.0', id: randomUUID(), source: 'test/egress', type: 'orders.created', datacontenttype: 'application/json', data: { n } }));
}

test('an event confirmed in a round that timed out counts as published; only the unconfirmed ones fail', { timeout: 30_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const exchange = uniqueName('egress-partly-confirmed');
  const queue = uniqueName('egress-partly-confirmed-sink');
  const raw = await RawAmqp.open();
  const ids = new Set<string>();
  await raw.sink(exchange, queue, '#', (m) => ids.add(String(m.properties.messageId)));
  const proxy = await AckWithholdingAmqpProxy.listen(5672, 1);
  const brokers: BrokersDocument = { amqp: { out: { url: `amqp://127.0.0.1:${proxy.port}`, username: 'guest', password: 'guest', heartbeatSec: 0 } } };
  const targets = toEgressConfig([{ name: 'partly', match: 'orders.#', broker: 'out', exchange, confirmTimeoutMs: '1s' }], brokers) as ExchangeTarget[];
  const target = targets[0] as ExchangeTarget;
  const source = toBrokersConfig(brokers, publishingBrokers(targets)).amqp[0];
  assert.ok(source);
  const session = await AmqpPublishSession.open(source, targets);
  try {
    const round = events(3);
    const results = await session.publish(target, round);
    await waitFor('the round in the queue', () => round.every((e) => ids.has(e.id)), 5_000);
    assert.ok(proxy.withheld >= 1, 'the later confirms were withheld');
    assert.equal(results[0], undefined, 'the confirmed event counts as published');
    assert.ok(results.slice(1).every((r) => r instanceof Error && /not confirmed within 1000 ms/.test(r.message)), 'the unconfirmed ones fail');
    // The broker answered part of the round: the connection is slow, not silent.
    assert.equal(await settledWithin(session.lost, 0), undefined);
  } finally {
    await session.close();
    await proxy.close();
    await raw.cleanup([queue], [exchange]);
  }
});
