// SandboxPool.warm: a hot upgrade starts the new version (load + init) in
// every worker before the swap, so the first batches find it ready and a
// failing init is known before any event is routed to it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SandboxFixture } from './sandbox-fixture.ts';

const sandbox = new SandboxFixture();
before(() => sandbox.start());
after(() => sandbox.stop());

// Each instance counts its inits in kv, so the test sees how many instances started and when.
const COUNTING = `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({
  async init(ctx) { await ctx.kv.incr('inits'); ctx.log.info('warmed', {}); },
  execute() {},
});`;

test('warm runs init once per worker, reports its logs, and later batches reuse those instances', async () => {
  const spec = await sandbox.spec({ name: 'warm-counting', source: COUNTING, capabilities: { kv: true } });
  const report = await sandbox.pool.warm(spec);
  assert.equal(report.ok, true, JSON.stringify(report));
  assert.equal(report.instanceLogs.filter((l) => l.message === 'warmed').length, 2, 'one init log per worker (threads: 2)');
  assert.equal(inits(), 2);
  for (let i = 0; i < 8; i++) {
    const result = await sandbox.run(spec);
    assert.equal(result.outcomes[0]?.ok, true);
    assert.equal(result.instanceLogs.length, 0, 'no instance was started for these batches');
  }
  assert.equal(inits(), 2, 'batches ran on the warmed instances');
  assert.equal((await sandbox.pool.warm(spec)).ok, true, 'warming again is a no-op');
  assert.equal(inits(), 2);
});

test('a failing init makes warm answer the error, and no broken instance is kept', async () => {
  const spec = await sandbox.spec({ name: 'warm-failing', source: `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ init() { throw new Error('no database'); }, execute() {} });` });
  const report = await sandbox.pool.warm(spec);
  assert.equal(report.ok, false);
  assert.match(report.ok ? '' : report.error.message, /no database/);
  const result = await sandbox.run(spec);
  assert.equal(result.loadError?.message.includes('no database'), true, 'a batch retries the start (and fails the same way) rather than finding a dead instance');
});

/** This fixture's kv is one namespace; only the counting plugin writes 'inits'. */
function inits(): number {
  return Number(sandbox.kv.get('inits') ?? 0);
}
