// A sandbox process ends without Node's exit-time teardown, whether its host
// is gone (killed, or its IPC channel closed) or stops it in order: tearing
// down worker threads that have run isolates can abort the process inside
// isolated-vm (`IsolateEnvironment::GetCurrent`, environment != nullptr),
// which printed an assertion on the operator's terminal after a host was
// killed, and in a CI run after an orderly close (pool.destroy(), then
// exit()). Ending by SIGKILL runs no teardown at all.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import { SandboxPool } from '../../src/sandbox/sandbox-pool.ts';
import { HOSTILE } from '../fixtures/hostile-plugins.ts';
import { SandboxFixture } from './sandbox-fixture.ts';

const childOf = (pool: SandboxPool): ChildProcess => (pool as unknown as { child: ChildProcess }).child;

const sandbox = new SandboxFixture();
before(() => sandbox.start());
after(() => sandbox.stop());

test('a sandbox with live isolates whose host channel closes ends by SIGKILL, not by exit()', async () => {
  const spec = await sandbox.spec(HOSTILE.healthy!);
  assert.equal((await sandbox.run(spec)).outcomes[0]?.ok, true, 'an instance is live in the sandbox');
  // The pool's own child: what a host's death does to it is close this channel.
  const child = childOf(sandbox.pool);
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.disconnect();
  const { code, signal } = await ended;
  assert.deepEqual({ code, signal }, { code: null, signal: 'SIGKILL' });
  // The pool takes it as a crash and starts another sandbox.
  assert.equal((await sandbox.run(spec)).outcomes[0]?.ok, true, 'the respawned sandbox serves');
});

test('an orderly close runs every cleanup hook, reports it, then ends the process by SIGKILL, not by exit()', async () => {
  const pool = await SandboxPool.start({ threads: 2, kv: (_p, op, args) => sandbox.kv.apply(op, args) });
  const spec = await sandbox.spec({ name: 'cleans-up', source: `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute() {}, cleanup(ctx) { ctx.log.info('cleaned', {}); } });` });
  assert.equal((await pool.run(spec, [{ specversion: '1.0', id: 'e1', source: 'test', type: 'test.event', data: {} }])).outcomes[0]?.ok, true);
  const child = childOf(pool);
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const reports = await pool.close();
  assert.ok(reports.some((r) => r.plugin === spec.name && r.outcome.logs.some((l) => l.message === 'cleaned')), JSON.stringify(reports));
  assert.deepEqual(await ended, { code: null, signal: 'SIGKILL' });
});
