// RabbitMQ messages published by clients other than ours (a raw amqplib
// channel and the amqp-publish CLI) become the envelopes CONTRACT §5 says:
// structured and binary CloudEvents AMQP binding, and plain messages wrapped
// with the routing key as type, AMQP priority → priority, TTL → expiresat.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { requireService } from '../helpers/services.ts';
import { AMQP_URL, RawAmqp } from './amqp-helpers.ts';
import { BrokerHost, uniqueName, waitFor } from './broker-fixture.ts';

const run = promisify(execFile);

test('structured, binary and plain AMQP messages from other clients become envelopes', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'rabbitmq'))) return;
  const queue = uniqueName('modes');
  const exchange = uniqueName('events');
  const raw = await RawAmqp.open();
  const broker = await BrokerHost.start({
    brokers: { amqp: { main: { url: AMQP_URL, exchange: { name: exchange }, queues: [{ name: queue, maxPriority: 9, bindings: ['orders.#', 'cli.#'] }] } } },
  });
  try {
    // Structured mode: the body is the event, attributes included.
    raw.publish(exchange, 'orders.ignored', JSON.stringify({ specversion: '1.0', id: 'evt-1', source: 'shop/checkout', type: 'orders.created', data: { n: 'structured', record: true }, partitionkey: 'cust-7' }), { contentType: 'application/cloudevents+json' });
    // Binary mode: attributes in cloudEvents: headers, the body is data; `time` as the binding's AMQP timestamp type.
    raw.publish(exchange, 'orders.ignored', JSON.stringify({ n: 'binary', record: true }), {
      contentType: 'application/json',
      headers: { 'cloudEvents:specversion': '1.0', 'cloudEvents:id': 'evt-2', 'cloudEvents:type': 'orders.paid', 'cloudEvents:source': 'ignored', 'cloudEvents:partitionkey': 'cust-8', 'cloudEvents:time': { '!': 'timestamp', value: 1_577_836_800 }, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    // Plain: routing key → type, AMQP priority → priority, per-message TTL → expiresat, message-id → id.
    raw.publish(exchange, 'orders.shipped', JSON.stringify({ n: 'plain', record: true }), { priority: 7, expiration: '600000', timestamp: Math.floor(Date.now() / 1000), messageId: 'msg-3' });
    // Plain text without a content type stays text.
    raw.publish(exchange, 'orders.note', 'hello from a shell script', {});
    // The amqp-publish CLI (librabbitmq), another client entirely.
    await run('amqp-publish', ['--url', 'amqp://guest:guest@127.0.0.1:5672', '-e', exchange, '-r', 'cli.plain', '-C', 'application/json', '-b', JSON.stringify({ n: 'cli-plain', record: true })]);
    await run('amqp-publish', ['--url', 'amqp://guest:guest@127.0.0.1:5672', '-e', exchange, '-r', 'cli.structured', '-C', 'application/cloudevents+json', '-b', JSON.stringify({ specversion: '1.0', id: 'cli-1', source: 'cli', type: 'cli.event', data: { n: 'cli-structured', record: true } })]);
    await run('amqp-publish', ['--url', 'amqp://guest:guest@127.0.0.1:5672', '-e', exchange, '-r', 'cli.binary', '-C', 'application/json', '-H', 'cloudEvents_specversion: 1.0', '-H', 'cloudEvents_type: cli.binary.event', '-H', 'cloudEvents_id: cli-2', '-b', JSON.stringify({ n: 'cli-binary', record: true })]);

    const keys = ['structured', 'binary', 'plain', 'cli-plain', 'cli-structured', 'cli-binary'];
    await waitFor('every message handled', async () => (await Promise.all(keys.map((k) => broker.seen(k)))).every((n) => n === 1));
    const textJournal = () => broker.host.store.readJournal({ from: 0, type: 'orders.note', limit: 10 });
    await waitFor('the text message journaled', async () => (await textJournal()).length === 1);

    const structured = await broker.recorded('structured');
    assert.equal(structured?.id, 'evt-1');
    assert.equal(structured?.source, 'shop/checkout');
    assert.equal(structured?.type, 'orders.created');
    assert.equal(structured?.partitionkey, 'cust-7');

    const binary = await broker.recorded('binary');
    assert.equal(binary?.id, 'evt-2');
    assert.equal(binary?.type, 'orders.paid');
    assert.equal(binary?.source, `amqp/${queue}`, 'the ingress decides the source of bytes it received');
    assert.equal(binary?.partitionkey, 'cust-8');
    assert.equal(binary?.time, '2020-01-01T00:00:00.000Z', 'an AMQP timestamp attribute is the event time');
    assert.equal(binary?.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    assert.deepEqual(binary?.data, { n: 'binary', record: true });

    const plain = await broker.recorded('plain');
    assert.equal(plain?.type, 'orders.shipped');
    assert.equal(plain?.id, 'msg-3');
    assert.equal(plain?.priority, 7);
    assert.ok(typeof plain?.expiresat === 'string' && Date.parse(plain.expiresat) > Date.now() + 500_000, 'TTL became an absolute expiry');

    assert.equal((await broker.recorded('cli-plain'))?.type, 'cli.plain');
    assert.equal((await broker.recorded('cli-structured'))?.id, 'cli-1');
    const cliBinary = await broker.recorded('cli-binary');
    assert.equal(cliBinary?.type, 'cli.binary.event');
    assert.equal(cliBinary?.id, 'cli-2');

    const journal = await textJournal();
    assert.equal(journal[0]?.event.data, 'hello from a shell script');
    assert.equal(journal[0]?.event.datacontenttype, 'text/plain; charset=utf-8');
  } finally {
    await broker.stop();
    await raw.cleanup([queue], [exchange]);
  }
});
