// Acks on a channel coalesce into one `multiple` ack for the longest settled
// prefix of delivery tags, never naming a tag that was nacked or already
// acked (RabbitMQ would close the channel on a tag it no longer holds), and
// no `multiple` ack covers a message still in flight. A settled tag behind
// one in flight is acked on its own once it has waited holdMs. Acks queued
// when the channel goes are reported lost, so redeliveries are recognised.
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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

test('a settled tag behind one in flight is acked on its own after the hold, and never named again', async () => {
  const calls: Call[] = [];
  let now = 0;
  const window = new AmqpAckWindow(fakeChannel(calls), { holdMs: 30, now: () => now });
  window.ack(message(2));
  window.ack(message(3));
  await turn();
  assert.deepEqual(calls, [], 'inside the hold they wait for tag 1');
  now = 30;
  await sleep(60);
  assert.deepEqual(calls, [['ack', 2, false], ['ack', 3, false]], 'past the hold each goes on its own');
  window.ack(message(4));
  window.ack(message(1));
  await turn();
  assert.deepEqual(calls.slice(2), [['ack', 4, true]], 'the prefix ack names tag 4, the last one not yet acked');
});

test('a tag settled during the hold waits its own hold, not the first one', async () => {
  const calls: Call[] = [];
  let now = 0;
  const window = new AmqpAckWindow(fakeChannel(calls), { holdMs: 40, now: () => now });
  window.ack(message(2));
  await turn();
  now = 30;
  window.ack(message(3));
  await turn();
  now = 40;
  await sleep(60);
  assert.deepEqual(calls, [['ack', 2, false]], 'tag 3 has waited 10 of its 40 ms');
  now = 70;
  await sleep(60);
  assert.deepEqual(calls, [['ack', 2, false], ['ack', 3, false]]);
});

test('flush sends everything queued now: the prefix as one ack, the rest one by one', async () => {
  const calls: Call[] = [];
  const window = new AmqpAckWindow(fakeChannel(calls), { holdMs: 60_000 });
  window.ack(message(1));
  window.ack(message(2));
  window.ack(message(4));
  window.flush();
  assert.deepEqual(calls, [['ack', 2, true], ['ack', 4, false]]);
  await turn();
  assert.equal(calls.length, 2, 'nothing is sent twice');
});

test('acks queued when the channel goes are reported lost; sent ones are not', async () => {
  const calls: Call[] = [];
  const lost: number[] = [];
  const window = new AmqpAckWindow(fakeChannel(calls), { holdMs: 60_000 });
  const ack = (tag: number) => window.ack(message(tag), () => lost.push(tag));
  ack(1);
  ack(3);
  await turn();
  assert.deepEqual(calls, [['ack', 1, true]]);
  ack(4);
  window.close();
  assert.deepEqual(lost.sort(), [3, 4], 'tag 3 waited behind tag 2, tag 4 for the end of the turn');
  await turn();
  assert.equal(calls.length, 1);
  window.close();
  assert.equal(lost.length, 2, 'reported once');
});

test('an ack the channel refuses closes the window and reports every queued ack lost', async () => {
  const lost: number[] = [];
  const channel = { ack: () => { throw new Error('Channel closed'); }, nack: () => undefined } as unknown as Channel;
  const window = new AmqpAckWindow(channel);
  window.ack(message(1), () => lost.push(1));
  window.ack(message(2), () => lost.push(2));
  await turn();
  assert.deepEqual(lost.sort(), [1, 2]);
  assert.equal(window.ack(message(3)), false, 'the window is closed');
});
