// WorkerLinks admits a peer only with the token, and a linked peer that then
// sends something that is not a run's answer loses its link: the host's
// thread never throws on what a socket says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkerLinks, type WorkerLink } from '../../src/sandbox/worker-links.ts';
import { closedWithin, openPeer, sendFrame } from './link-peer.ts';

test('after a valid hello, a null frame, an unknown kind or a result without outcomes drops that link and nothing else', async () => {
  const answers: unknown[] = [];
  const closed: WorkerLink[] = [];
  const links = await WorkerLinks.listen({ onMessage: (_link, message) => answers.push(message), onClose: (link) => closed.push(link) });
  try {
    const { path, token } = links.address;
    const good = await openPeer(path);
    sendFrame(good, { kind: 'hello', token, pid: 42, threadId: 1 });
    for (const [n, bad] of [null, { kind: 'surprise', id: 1 }, { kind: 'run-result', id: 2, result: { outcomes: 'all fine' } }].entries()) {
      const peer = await openPeer(path);
      sendFrame(peer, { kind: 'hello', token, pid: 42, threadId: 10 + n });
      sendFrame(peer, bad);
      assert.equal(await closedWithin(peer, 2000), true, `dropped after ${JSON.stringify(bad)}`);
    }
    sendFrame(good, { kind: 'run-result', id: 7, result: { outcomes: [], restarts: [], denials: [], instanceLogs: [] } });
    const deadline = Date.now() + 2000;
    while (answers.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(answers, [{ kind: 'run-result', id: 7, result: { outcomes: [], restarts: [], denials: [], instanceLogs: [] } }], 'the good link still answers');
    assert.equal(links.count(42), 1);
    assert.deepEqual(closed.map((l) => l.threadId).sort(), [10, 11, 12]);
    good.destroy();
  } finally {
    await links.close();
  }
});

test('a hello with a wrong or missing token is never linked', async () => {
  const links = await WorkerLinks.listen({ onMessage: () => undefined, onClose: () => undefined });
  try {
    for (const hello of [{ kind: 'hello', token: 'x'.repeat(64), pid: 1, threadId: 1 }, { kind: 'hello', pid: 1, threadId: 1 }, { kind: 'hello', token: `${links.address.token}0`, pid: 1, threadId: 1 }]) {
      const peer = await openPeer(links.address.path);
      sendFrame(peer, hello);
      assert.equal(await closedWithin(peer, 2000), true);
      assert.equal(links.count(1), 0);
    }
  } finally {
    await links.close();
  }
});
