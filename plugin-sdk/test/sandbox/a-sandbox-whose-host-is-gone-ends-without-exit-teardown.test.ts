// A sandbox process whose host is gone (killed, or its IPC channel closed)
// must end at once, and without Node's exit-time teardown: tearing down
// worker threads that hold live isolates can abort the process inside
// isolated-vm (`IsolateEnvironment::GetCurrent`, environment != nullptr),
// which printed an assertion and a stack on the operator's terminal after a
// host was killed. Ending by SIGKILL runs no teardown at all.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import { HOSTILE } from '../fixtures/hostile-plugins.ts';
import { SandboxFixture } from './sandbox-fixture.ts';

const sandbox = new SandboxFixture();
before(() => sandbox.start());
after(() => sandbox.stop());

test('a sandbox with live isolates whose host channel closes ends by SIGKILL, not by exit()', async () => {
  const spec = await sandbox.spec(HOSTILE.healthy!);
  assert.equal((await sandbox.run(spec)).outcomes[0]?.ok, true, 'an instance is live in the sandbox');
  // The pool's own child: what a host's death does to it is close this channel.
  const child = (sandbox.pool as unknown as { child: ChildProcess }).child;
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.disconnect();
  const { code, signal } = await ended;
  assert.deepEqual({ code, signal }, { code: null, signal: 'SIGKILL' });
  // The pool takes it as a crash and starts another sandbox.
  assert.equal((await sandbox.run(spec)).outcomes[0]?.ok, true, 'the respawned sandbox serves');
});
