import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HOSTILE } from '../fixtures/hostile-plugins.ts';
import { SandboxFixture } from './sandbox-fixture.ts';

const sandbox = new SandboxFixture();
before(() => sandbox.start());
after(() => sandbox.stop());

const cases: [keyof typeof HOSTILE, string, string][] = [
  ['ungrantedEmit', 'emit', 'admin.delete-everything'],
  ['ungrantedSecret', 'secrets', 'ROOT_PASSWORD'],
  ['ungrantedHost', 'http', 'evil.example'],
];

for (const [name, capability, target] of cases) {
  test(`${capability} to an ungranted target throws PLEXUS_CAPABILITY_DENIED and is counted`, async () => {
    const result = await sandbox.run(await sandbox.spec(HOSTILE[name]!));
    const outcome = result.outcomes[0];
    assert.equal(outcome?.ok, false);
    assert.equal(!outcome?.ok && outcome?.error.code, 'PLEXUS_CAPABILITY_DENIED');
    assert.ok(result.denials.some((d) => d.capability === capability && d.target.includes(target)), JSON.stringify(result.denials));
    assert.doesNotMatch(JSON.stringify(result), /hunter2/, 'an ungranted secret value never leaves the host');
  });
}

test('capabilities the operator did not grant are absent from ctx', async () => {
  const fixture = HOSTILE.absentCapabilities!;
  const none = await sandbox.run(await sandbox.spec(fixture, []));
  assert.deepEqual((none.outcomes[0]?.logs[0]?.fields as { keys: string[] }).keys, ['config', 'log', 'plugin']);
  const all = await sandbox.run(await sandbox.spec(fixture));
  assert.deepEqual((all.outcomes[0]?.logs[0]?.fields as { keys: string[] }).keys, ['config', 'emit', 'fetch', 'kv', 'log', 'plugin', 'secrets']);
});

test('a granted secret is readable and only its value is handed to the sandbox', async () => {
  const spec = await sandbox.spec({ name: 'secret-reader', capabilities: { secrets: ['TOKEN'] }, source: `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute(e, ctx) { ctx.log.info(ctx.secrets.get('TOKEN')); } });` });
  assert.deepEqual(spec.secrets, { TOKEN: 's3cret' });
  const result = await sandbox.run(spec);
  assert.equal(result.outcomes[0]?.logs[0]?.message, 's3cret');
});
