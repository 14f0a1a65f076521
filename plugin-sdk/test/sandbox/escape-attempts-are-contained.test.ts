import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HOSTILE } from '../fixtures/hostile-plugins.ts';
import { SandboxFixture } from './sandbox-fixture.ts';

const sandbox = new SandboxFixture();
before(() => sandbox.start());
after(() => sandbox.stop());

/** Every attack ends with the healthy plugin, in the same sandbox, still served. */
async function healthyStillServed(): Promise<void> {
  const result = await sandbox.run(await sandbox.spec(HOSTILE.healthy!));
  assert.equal(result.outcomes[0]?.ok, true);
  assert.equal(result.outcomes[0]?.logs[0]?.fields?.polluted, null, 'another isolate must not see pollution');
}

function fieldsOf(result: Awaited<ReturnType<SandboxFixture['run']>>): Record<string, unknown> {
  const outcome = result.outcomes[0];
  assert.ok(outcome?.ok, `expected the probe to finish, got ${JSON.stringify(outcome)}`);
  return (outcome.logs[0]?.fields ?? {}) as Record<string, unknown>;
}

test('process, require, module, timers, wasm and shared memory do not exist in the sandbox', async () => {
  const marker = sandbox.marker();
  const fields = fieldsOf(await sandbox.run(await sandbox.spec(HOSTILE.globals!), { marker }));
  for (const name of ['process', 'require', 'module', 'dirname', 'wasm', 'sab', 'atomics', 'setTimeout', 'fetch', 'Buffer']) {
    assert.equal(fields[name], 'undefined', `${name} must be undefined`);
  }
  assert.equal(sandbox.escaped(marker), false);
  await healthyStillServed();
});

test('dynamic import() of Node built-ins, packages and absolute paths is refused', async () => {
  const marker = sandbox.marker();
  const fields = fieldsOf(await sandbox.run(await sandbox.spec(HOSTILE.dynamicImport!), { marker }));
  for (const [spec, result] of Object.entries(fields)) assert.match(String(result), /^refused/, `import(${spec}) must be refused`);
  assert.equal(Object.keys(fields).length, 5);
  assert.equal(sandbox.escaped(marker), false);
  await healthyStillServed();
});

test('a static import of a Node built-in fails to load with a coded error', async () => {
  const result = await sandbox.run(await sandbox.spec(HOSTILE.staticImport!));
  const outcome = result.outcomes[0];
  assert.equal(outcome?.ok, false);
  assert.equal(!outcome?.ok && outcome?.error.code, 'PLEXUS_PLUGIN_LOAD_FAILED');
  assert.match(!outcome?.ok ? outcome!.error.message : '', /node:fs.*not allowed/);
  await healthyStillServed();
});

test('constructor.constructor chains from every ctx function reach only the isolate', async () => {
  const marker = sandbox.marker();
  const fields = fieldsOf(await sandbox.run(await sandbox.spec(HOSTILE.constructorChains!), { marker }));
  assert.ok(Object.keys(fields).length >= 7);
  for (const [name, found] of Object.entries(fields)) {
    if (found === 'absent') continue;
    assert.equal(found, 'undefined|undefined|undefined|undefined|', `${name}: ${String(found)}`);
  }
  assert.equal(sandbox.escaped(marker), false);
  await healthyStillServed();
});

test('Error.prepareStackTrace on errors from host capabilities exposes no host frames or objects', async () => {
  const marker = sandbox.marker();
  const fields = fieldsOf(await sandbox.run(await sandbox.spec(HOSTILE.prepareStackTrace!), { marker }));
  const stacks = fields.stacks as string[];
  assert.equal(stacks.length, 5, 'each attempt must throw');
  const text = JSON.stringify(fields);
  // `<isolated-vm>` names the in-isolate runner's frames; anything that names a host file is a leak.
  assert.doesNotMatch(text, /\/work\/|file:\/\/|node:internal|plugin-sdk\/src|node_modules|\.ts\b/, 'no host path may leak');
  assert.ok((fields.seen as string[]).every((s) => s === 'undefined' || s === '<isolated-vm>' || s.startsWith('plugin:')), 'frames expose no host objects');
  assert.equal(sandbox.escaped(marker), false);
  await healthyStillServed();
});

test('prototype pollution through emitted data, kv values and logs reaches neither the host nor other plugins', async () => {
  const result = await sandbox.run(await sandbox.spec(HOSTILE.pollution!));
  const outcome = result.outcomes[0];
  assert.ok(outcome?.ok);
  const data = JSON.parse(outcome.emitted[0]?.data ?? 'null') as Record<string, unknown>;
  assert.deepEqual(Object.keys(data), ['ok'], 'dangerous keys are stripped from emitted data');
  assert.equal(Object.hasOwn(outcome.logs[0]?.fields ?? {}, '__proto__'), false);
  const stored = sandbox.kv.get('evil') as Record<string, unknown>;
  assert.equal(stored.ok, 1);
  const merged = Object.assign({}, data, outcome.logs[0]?.fields);
  assert.equal((merged as Record<string, unknown>).polluted, undefined);
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'host Object.prototype untouched');
  await healthyStillServed();
});
