// Log records are written by plugin code, so the worker checks them before
// they leave the sandbox: execute's always were; init's (and console lines
// outside a call) went out as the isolate wrote them, and a plugin that
// rewrote its init result could send any level (the host's logger[level]
// then threw, and the batch was retried forever), 5,000 records or forged
// keys. Fields are bounded in size, and fields too deep for the host become
// a note instead of failing a batch that succeeded.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { plugin } from '../fixtures/write-plugin.ts';
import { SandboxFixture } from './sandbox-fixture.ts';

const sandbox = new SandboxFixture();
before(() => sandbox.start());
after(() => sandbox.stop());

test("init's log records are checked like execute's: forged levels, messages and counts do not leave the sandbox", async () => {
  const spec = await sandbox.spec({
    name: 'init-liar',
    source: `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({
  init(ctx) {
    ctx.log.info('honest init line');
    Object.prototype.toJSON = function () {
      if (Object.hasOwn(this, 'droppedLogs') && Array.isArray(this.logs)) {
        const logs = [];
        for (let i = 0; i < 5000; i++) logs.push({ level: 'nonexistent', message: { an: 'object' }, fields: { level: 99 }, time: 'never' });
        logs.push({ level: 'info', message: 'forged but well-formed', time: 'never' });
        return { ok: true, emitted: [], logs, droppedLogs: 0 };
      }
      return this;
    };
  },
  execute() {},
});`,
  });
  const result = await sandbox.run(spec);
  assert.ok(result.instanceLogs.length <= spec.limits.maxLogsPerCall, `${result.instanceLogs.length} records`);
  for (const record of result.instanceLogs) {
    assert.ok(['debug', 'info', 'warn', 'error'].includes(record.level), record.level);
    assert.equal(typeof record.message, 'string');
    assert.equal(typeof record.time, 'number');
  }
});

test('log fields over 16 KB arrive as a note of their size, not as megabytes', async () => {
  const spec = await sandbox.spec({ name: 'big-fields', source: plugin("const big = 'x'.repeat(400_000); for (let i = 0; i < 20; i++) ctx.log.info('m', { big });") });
  const outcome = (await sandbox.run(spec)).outcomes[0];
  assert.equal(outcome?.ok, true);
  assert.equal(outcome?.logs.length, 20);
  for (const record of outcome?.logs ?? []) assert.match(String(record.fields?.fieldsDropped), /characters, over 16384/);
});

test('log fields nested deeper than the host takes leave the batch a success, with a note in their place', async () => {
  const spec = await sandbox.spec({ name: 'deep-fields', source: plugin("let f = {}; for (let i = 0; i < 70; i++) f = { f }; ctx.log.info('deep', f);") });
  const result = await sandbox.run(spec);
  const outcome = result.outcomes[0];
  assert.equal(outcome?.ok, true, JSON.stringify(outcome));
  assert.deepEqual(result.restarts, []);
  assert.match(String(outcome?.logs[0]?.fields?.fieldsDropped), /deeper than 64 levels/);
});
