// Backpressure counts the events of accepts whose writes are still in
// flight. When such a write fails it enqueues nothing, so no pump runs; the
// accepts that waited on its reservation must be woken all the same, or a
// broker batch waits (unacked, and holding its channel's acks) until some
// other accept happens to succeed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { SandboxPool } from '@plexus/plugin-sdk/runtime';
import { DeliveryEngine } from '../../src/delivery/engine.ts';
import type { AcceptInput, AcceptResult, Store } from '../../src/store/store.ts';

test('an accept that waited on a failed write proceeds once it fails', { timeout: 10_000 }, async () => {
  const writes: number[] = [];
  const store = {
    accept: async (inputs: AcceptInput[]): Promise<AcceptResult> => {
      writes.push(inputs.length);
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (writes.length === 1) throw new Error('disk full');
      return { created: [], duplicates: 0 };
    },
    settle: async (): Promise<AcceptResult> => ({ created: [], duplicates: 0 }),
    close: async () => undefined,
  } as unknown as Store;
  const engine = new DeliveryEngine({ store, sandbox: {} as SandboxPool, hostId: '0123456789abcdef', dedupWindowMs: 1000, maxQueued: 10 });
  const event = (n: number): PlexusEvent => ({ specversion: '1.0', id: `e${n}`, source: 'test', type: 'wake.test' });
  const first = engine.accept(Array.from({ length: 10 }, (_, n) => event(n)));
  // Ten reserved of ten allowed: this one waits for room.
  const second = engine.accept([event(99)]);
  await assert.rejects(first, /disk full/);
  const outcome = await Promise.race([second.then(() => 'accepted'), new Promise((resolve) => setTimeout(() => resolve('still waiting after 3 s'), 3000))]);
  assert.equal(outcome, 'accepted');
  assert.deepEqual(writes, [10, 1]);
});
