// The sandbox process talks to its host over the IPC channel. When the host
// dies, a message sent before the channel's 'disconnect' is processed fails
// with EPIPE; left to process.send's default, that error was emitted on the
// process as an unhandled 'error' event, which crashed the sandbox through
// Node's exit teardown (where isolated-vm can abort: seen in a CI run after a
// SIGKILL of the host). Both signs of a gone host take one path instead.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { hostChannel, type IpcProcess } from '../../src/sandbox/host-channel.ts';

class FakeProcess extends EventEmitter implements IpcProcess {
  connected = true;
  sent: unknown[] = [];
  failWith: Error | undefined;

  send(message: unknown, _handle: undefined, _options: undefined, callback?: (error: Error | null) => void): boolean {
    this.sent.push(message);
    const error = this.failWith;
    // As Node does: the write's outcome arrives later; without a callback, an error is emitted on the process.
    setImmediate(() => (callback ? callback(error ?? null) : error !== undefined && this.emit('error', error)));
    return true;
  }
}

test('a send that fails because the host is gone ends the sandbox once, and never emits an error on the process', async () => {
  const proc = new FakeProcess();
  let gone = 0;
  const errors: unknown[] = [];
  proc.on('error', (err) => errors.push(err));
  const send = hostChannel(proc, () => gone++);
  proc.failWith = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
  send({ kind: 'host-call' });
  send({ kind: 'host-call' });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(errors, []);
  assert.equal(gone, 1, 'the gone-host path ran once');
  assert.equal(proc.sent.length, 2);
});

test('the channel closing ends the sandbox; sends after it are not attempted', async () => {
  const proc = new FakeProcess();
  let gone = 0;
  const send = hostChannel(proc, () => gone++);
  proc.connected = false;
  proc.emit('disconnect');
  send({ kind: 'ready' });
  await new Promise((r) => setImmediate(r));
  assert.equal(gone, 1);
  assert.deepEqual(proc.sent, []);
});

test('a send that succeeds ends nothing', async () => {
  const proc = new FakeProcess();
  let gone = 0;
  const send = hostChannel(proc, () => gone++);
  send({ kind: 'ready' });
  await new Promise((r) => setImmediate(r));
  assert.equal(gone, 0);
  assert.equal(proc.sent.length, 1);
});
