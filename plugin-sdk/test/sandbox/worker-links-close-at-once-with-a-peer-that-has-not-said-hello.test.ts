// WorkerLinks.close() drops every connection, not only the admitted links:
// the server's close waits for each open connection, so one that never says
// its hello held the host's close (and its stop) for the whole hello timeout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkerLinks } from '../../src/sandbox/worker-links.ts';
import { closedWithin, openPeer } from './link-peer.ts';

test('close() answers at once and drops a connection still waiting to say its hello', { timeout: 30_000 }, async () => {
  const links = await WorkerLinks.listen({ onMessage: () => undefined, onClose: () => undefined });
  const silent = await openPeer(links.address.path);
  try {
    // The host has accepted it once a round trip has passed.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await links.close();
    const took = performance.now() - started;
    assert.ok(took < 2000, `close() took ${Math.round(took)} ms`);
    assert.equal(await closedWithin(silent, 1000), true, 'the silent peer was dropped');
  } finally {
    silent.destroy();
  }
});
