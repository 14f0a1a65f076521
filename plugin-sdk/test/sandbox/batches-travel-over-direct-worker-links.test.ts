// Each sandbox worker links to the host directly (worker-links.ts), so a
// batch and its outcomes skip the sandbox process's main thread. A link that
// drops under a batch must cost that batch what a crash costs (a re-run one
// event at a time) and nothing more, and only the host's own sandbox may link.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { closedWithin, openPeer, sendFrame } from './link-peer.ts';
import { SandboxFixture } from './sandbox-fixture.ts';

const sandbox = new SandboxFixture();
before(() => sandbox.start());
after(() => sandbox.stop());

const event = (n: number) => ({ specversion: '1.0', id: randomUUID(), source: 'test', type: 'test.x', data: { n } });
const BUSY = `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ async execute(event) { const end = Date.now() + 300; while (Date.now() < end) {} } });`;

async function linksUp(count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (sandbox.pool.linkedWorkers < count) {
    if (Date.now() > deadline) throw new Error(`only ${sandbox.pool.linkedWorkers} of ${count} workers linked within 10 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('every worker links to the host, and a batch in flight on a dropped link is re-run one event at a time: no event is charged', async () => {
  await linksUp(2);
  const spec = await sandbox.spec({ name: 'busy-linked', source: BUSY, limits: { timeoutMs: 5000 } });
  const pid = sandbox.pool.pid;
  const running = sandbox.pool.run(spec, [event(1), event(2)]);
  await new Promise((r) => setTimeout(r, 150));
  sandbox.pool.closeWorkerLinks();
  const result = await running;
  assert.deepEqual(result.outcomes.map((o) => o.ok), [true, true], JSON.stringify(result));
  // Only a batch that was on a link when it dropped is re-run: this proves batches travel over the links.
  assert.ok(result.restarts.some((r) => r.cause === 'crash'), 'the batch was re-run as after a crash');
  assert.equal(sandbox.pool.pid, pid, 'the sandbox process lived on');
  assert.equal(sandbox.pool.crashes, 0);
  // With no link up, batches go through the sandbox process.
  assert.equal(sandbox.pool.linkedWorkers, 0);
  const later = await sandbox.pool.run(spec, [event(3)]);
  assert.deepEqual(later.outcomes.map((o) => o.ok), [true]);
  assert.deepEqual(later.restarts, []);
});

test('a connection that does not present the sandbox token is dropped and never linked', async () => {
  const path = sandbox.pool.workerLinkPath;
  assert.ok(path, 'the host listens for its workers');
  const before = sandbox.pool.linkedWorkers;
  const impostor = await openPeer(path);
  sendFrame(impostor, { kind: 'hello', token: 'f'.repeat(64), pid: sandbox.pool.pid, threadId: 99 });
  assert.equal(await closedWithin(impostor, 3000), true, 'the host closed the impostor');
  assert.equal(sandbox.pool.linkedWorkers, before);
});

test('a connection that announces a frame larger than a hello is dropped before it can make the host buffer it', async () => {
  const peer = await openPeer(sandbox.pool.workerLinkPath as string);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(512 * 1024 * 1024, 0);
  peer.write(header);
  peer.write(Buffer.alloc(64 * 1024));
  assert.equal(await closedWithin(peer, 3000), true);
});

test('the link address and token are not in the sandbox process\'s environment or command line, which other processes can read', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  const pid = sandbox.pool.pid as number;
  const path = sandbox.pool.workerLinkPath as string;
  for (const file of ['environ', 'cmdline']) {
    const text = readFileSync(`/proc/${pid}/${file}`, 'latin1');
    assert.equal(text.includes(path), false, `${file} names the link`);
    assert.equal(/PLEXUS_SANDBOX_LINK|token/i.test(text), false, `${file} carries the token`);
  }
});
