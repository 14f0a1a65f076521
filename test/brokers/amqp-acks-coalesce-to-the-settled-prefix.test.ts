// Acks on a channel coalesce into one `multiple` ack for the longest settled
// prefix of delivery tags, never naming a tag that was nacked (RabbitMQ would
// close the channel on a tag it no longer holds), and nothing is acked past a
// message still in flight.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Channel, Message } from 'amqplib';
import { AmqpAckWindow } from '../../src/ingress/amqp/amqp-ack-window.ts';

type Call = [op: 'ack' | 'nack', tag: number, multiple: boolean, requeue?: boolean];

function fakeChannel(calls: Call[]): Channel {
  const channel = {
    ack: (message: Message, allUpTo?: boolean) => void calls.push(['ack', message.fields.deliveryTag, allUpTo === true]),
    nack: (message: Message, allUpTo?: boolean, requeue?: boolean) => void calls.push(['nack', message.fields.deliveryTag, allUpTo === true, requeue === true]),
  };
  return channel as unknown as Channel;
}

const message = (tag: number) => ({ content: Buffer.alloc(0), fields: { deliveryTag: tag, redelivered: false, exchange: '', routingKey: 'q' }, properties: {} }) as unknown as Message;
const turn = () => new Promise((r) => setImmediate(r));

test('settled out of order, acked once for the settled prefix', async () => {
  const calls: Call[] = [];
  const window = new AmqpAckWindow(fakeChannel(calls));
  window.ack(message(2));
  window.ack(message(3));
  await turn();
  assert.deepEqual(calls, [], 'tag 1 is still in flight: nothing past it is acked');
  window.ack(message(1));
  window.ack(message(5));
  await turn();
  assert.deepEqual(calls, [['ack', 3, true]]);
  window.ack(message(4));
  await turn();
  assert.deepEqual(calls, [['ack', 3, true], ['ack', 5, true]]);
});

test('a nacked tag is skipped, never named by the multiple ack', async () => {
  const calls: Call[] = [];
  const window = new AmqpAckWindow(fakeChannel(calls));
  window.ack(message(1));
  window.nack(message(2), false);
  window.nack(message(3), true);
  await turn();
  assert.deepEqual(calls, [['nack', 2, false, false], ['nack', 3, false, true], ['ack', 1, true]]);
  window.nack(message(4), false);
  await turn();
  assert.equal(calls.length, 4, 'a prefix of nacks alone sends no ack');
});

test('after close nothing is sent and acks report failure', async () => {
  const calls: Call[] = [];
  const window = new AmqpAckWindow(fakeChannel(calls));
  window.close();
  assert.equal(window.ack(message(1)), false);
  assert.equal(window.nack(message(2), true), false);
  await turn();
  assert.deepEqual(calls, []);
});
