// The second line of defence: some isolate OOMs abort the whole process they
// run in. They must cost one sandbox respawn, charged to the guilty event.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { HOSTILE } from '../fixtures/hostile-plugins.ts';
import { LOST_AFTER_MS } from '../../src/sandbox/sync-call-watch.ts';
import { SandboxFixture } from './sandbox-fixture.ts';

const sandbox = new SandboxFixture();
before(() => sandbox.start());
after(() => sandbox.stop());

const event = (data: Record<string, unknown>) => ({ specversion: '1.0', id: randomUUID(), source: 'test', type: 'test.x', data });

test('a catastrophic OOM aborts only the sandbox process; its batch-mates succeed and the host carries on', async () => {
  const spec = await sandbox.spec(HOSTILE.catastrophicOom!);
  const pidBefore = sandbox.pool.pid;
  const started = Date.now();
  const result = await sandbox.pool.run(spec, [event({}), event({ bomb: true }), event({})]);
  // The bomb goes off twice (in the batch, then alone). Each time the sandbox
  // must be ended within the call's own limit plus the sync-call watch's
  // grace, not at the host's far longer per-run deadline.
  const bound = 2 * (spec.limits.timeoutMs + 1000 + LOST_AFTER_MS) + 20_000;
  assert.ok(Date.now() - started < bound, `both catastrophes were detected within ${bound} ms (took ${Date.now() - started} ms)`);
  assert.deepEqual(result.outcomes.map((o) => (o.ok ? 'ok' : o.error.code)), ['ok', 'PLEXUS_SANDBOX_CRASHED', 'ok'], JSON.stringify(result));
  assert.ok(result.restarts.some((r) => r.cause === 'crash'));
  assert.ok(sandbox.pool.crashes >= 1);
  assert.notEqual(sandbox.pool.pid, pidBefore, 'the sandbox process was respawned');
  const healthy = await sandbox.run(await sandbox.spec(HOSTILE.healthy!));
  assert.equal(healthy.outcomes[0]?.ok, true);
});

test('a sandbox process killed mid-batch is respawned and every event gets an outcome', async () => {
  const spec = await sandbox.spec({ name: 'slow', limits: { timeoutMs: 5000 }, source: `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ async execute() { const end = Date.now() + 300; while (Date.now() < end) {} } });` });
  const running = sandbox.pool.run(spec, [event({}), event({})]);
  await new Promise((r) => setTimeout(r, 150));
  process.kill(sandbox.pool.pid as number, 'SIGKILL');
  const result = await running;
  assert.equal(result.outcomes.length, 2);
  // Both were innocent: re-run one by one after the respawn, they succeed.
  assert.deepEqual(result.outcomes.map((o) => o.ok), [true, true], JSON.stringify(result));
});
