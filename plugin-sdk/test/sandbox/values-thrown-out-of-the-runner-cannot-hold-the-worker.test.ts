import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HOSTILE } from '../fixtures/hostile-plugins.ts';
import { plugin } from '../fixtures/write-plugin.ts';
import { SandboxFixture } from './sandbox-fixture.ts';

// isolated-vm reads a value thrown out of the isolate after the call's time
// limit ended: a getter there that loops held the worker thread for good and
// the whole sandbox process was aborted, every plugin's batch with it.
const sandbox = new SandboxFixture();
before(() => sandbox.start());
after(() => sandbox.stop());

const LOOPING = '{ get message() { while (true) {} }, get name() { while (true) {} }, get stack() { while (true) {} } }';
const BREAK_RESULTS = `Object.prototype.toJSON = function () { if (Object.hasOwn(this, 'results') || Object.hasOwn(this, 'ok')) throw ${LOOPING}; return this; };`;

const cases: [string, string][] = [
  ['a toJSON throwing out of the batch result', plugin(BREAK_RESULTS)],
  ['an Error whose stack getter loops, out of the batch result', plugin(`Object.prototype.toJSON = function () { if (Object.hasOwn(this, 'results')) { const e = new Error('x'); Object.defineProperty(e, 'stack', { get() { while (true) {} } }); throw e; } return this; };`)],
  ['a patched Map.prototype.get throwing', plugin(`Map.prototype.get = function () { throw ${LOOPING}; };`)],
  ['a patched Map.prototype.set throwing', plugin(`Map.prototype.set = function () { throw ${LOOPING}; };`)],
  ['a toJSON throwing out of init', `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ init() { ${BREAK_RESULTS} }, execute() {} });\n`],
  ['an execute getter throwing at load', `export default { get execute() { throw ${LOOPING}; } };\n`],
  ['a looping prepareStackTrace and no plugin definition', `Error.prepareStackTrace = () => { while (true) {} };\nexport default {};\n`],
];

for (const [what, source] of cases) {
  test(`${what} fails only that plugin's event: the sandbox process lives on`, async () => {
    const pid = sandbox.pool.pid;
    const spec = await sandbox.spec({ name: 'runner-breaker', limits: { timeoutMs: 300 }, source });
    const started = Date.now();
    const outcome = (await sandbox.run(spec)).outcomes[0];
    assert.equal(outcome?.ok, false, JSON.stringify(outcome));
    assert.doesNotMatch(!outcome?.ok ? outcome?.error.message ?? '' : '', /sandbox process died/, JSON.stringify(outcome));
    assert.ok(Date.now() - started < 5000, `answered in ${Date.now() - started} ms`);
    assert.equal(sandbox.pool.pid, pid, 'the sandbox process was not replaced');
    assert.equal((await sandbox.run(await sandbox.spec(HOSTILE.healthy!))).outcomes[0]?.ok, true);
  });
}
