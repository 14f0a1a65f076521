// The depth poller without a broker: it asks only when there is an open
// session, never runs two rounds at once (a slow broker is not piled on),
// and drops its readings when the session is gone, the answer fails or does
// not come within the interval: no gauge shows a number the broker did not
// just give.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DepthPoller, type DepthReading } from '../../src/ingress/broker-depth.ts';

const READING: DepthReading = { source: 'amqp/q', metric: 'queue_depth', value: 7 };

test('readings come from the open session and go when it does', async () => {
  let connected = true;
  let asked = 0;
  const poller = new DepthPoller(() => {
    if (!connected) return undefined;
    asked++;
    return Promise.resolve([READING]);
  }, 1000);
  await poller.poll();
  assert.deepEqual(poller.readings, [READING]);
  connected = false;
  await poller.poll();
  assert.deepEqual(poller.readings, [], 'disconnected: nothing reported, nothing asked');
  assert.equal(asked, 1);
});

test('a failed or late answer clears the readings; rounds never overlap', { timeout: 5000 }, async () => {
  let answer: () => Promise<readonly DepthReading[]> = () => Promise.resolve([READING]);
  let asked = 0;
  const poller = new DepthPoller(() => {
    asked++;
    return answer();
  }, 100);
  await poller.poll();
  assert.equal(poller.readings.length, 1);
  answer = () => Promise.reject(new Error('channel closed'));
  await poller.poll();
  assert.deepEqual(poller.readings, []);

  answer = () => Promise.resolve([READING]);
  await poller.poll();
  answer = () => new Promise(() => undefined);
  const slow = poller.poll();
  await poller.poll();
  assert.equal(asked, 4, 'a round still waiting is not doubled');
  await slow;
  assert.deepEqual(poller.readings, [], 'no answer within the interval: nothing shown');
  poller.stop();
});
