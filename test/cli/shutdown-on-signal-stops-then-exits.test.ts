import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { shutdownOnSignal } from '../../src/cli/shutdown-on-signal.ts';
import { RecordingLogger } from '../admin/recording-logger.ts';

function harness(stop: () => Promise<void>, timeoutMs = 1000) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const said: string[] = [];
  let exited: (code: number) => void = () => {};
  const exit = new Promise<number>((resolve) => {
    exited = resolve;
  });
  const dispose = shutdownOnSignal({ stop, timeoutMs, logger: new RecordingLogger(), signals, say: (t) => said.push(t), exit: (code) => { exits.push(code); exited(code); } });
  return { signals, exits, said, exit, dispose };
}

test('SIGTERM stops the host, then exits 0', async () => {
  let stopped = false;
  const { signals, exit, said } = harness(async () => {
    stopped = true;
  });
  signals.emit('SIGTERM');
  assert.equal(await exit, 0);
  assert.ok(stopped);
  assert.match(said[0] ?? '', /SIGTERM; shutting down/);
});

test('SIGINT does the same', async () => {
  const { signals, exit } = harness(async () => {});
  signals.emit('SIGINT');
  assert.equal(await exit, 0);
});

test('a second signal during the shutdown exits 1 at once', async () => {
  const { signals, exits, said } = harness(() => new Promise(() => {}));
  signals.emit('SIGTERM');
  signals.emit('SIGINT');
  assert.deepEqual(exits, [1]);
  assert.match(said[1] ?? '', /again; exiting without waiting/);
});

test('a shutdown slower than the limit exits 1', async () => {
  const { signals, exit, said } = harness(() => new Promise(() => {}), 30);
  signals.emit('SIGTERM');
  assert.equal(await exit, 1);
  assert.match(said.at(-1) ?? '', /longer than 30 ms/);
});

test('a failing shutdown exits 1', async () => {
  const { signals, exit } = harness(async () => {
    throw new Error('store close failed');
  });
  signals.emit('SIGTERM');
  assert.equal(await exit, 1);
});

test('the handlers can be removed again (a failed startup leaves the process as it was)', () => {
  const { signals, dispose } = harness(async () => {});
  assert.equal(signals.listenerCount('SIGTERM'), 1);
  assert.equal(signals.listenerCount('SIGINT'), 1);
  dispose();
  assert.equal(signals.listenerCount('SIGTERM'), 0);
  assert.equal(signals.listenerCount('SIGINT'), 0);
});
