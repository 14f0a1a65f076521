// A plugin can cause a capability denial per call, caught and repeated
// 20,000 times for one event. The batch result lists the first ones and tallies
// the rest per capability, so what crosses to the host stays small while the
// count (which the host's denial counter adds up) stays exact.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { denialCount, MAX_LISTED_DENIALS } from '../../src/sandbox/denial-list.ts';
import { SandboxFixture } from './sandbox-fixture.ts';

const sandbox = new SandboxFixture();
before(() => sandbox.start());
after(() => sandbox.stop());

test('20,000 caught denials in one event are listed up to the cap and tallied exactly per capability', { timeout: 60_000 }, async () => {
  const spec = await sandbox.spec({
    name: 'denier',
    capabilities: { emit: ['test.out'], secrets: ['TOKEN'] },
    source: `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ execute(event, ctx) {
  for (let i = 0; i < 20000; i++) { try { ctx.emit('nope.t' + i, {}); } catch {} }
  for (let i = 0; i < 50; i++) { try { ctx.secrets.get('OTHER' + i); } catch {} }
} });`,
  });
  const result = await sandbox.run(spec);
  assert.equal(result.outcomes[0]?.ok, true);
  assert.ok(result.denials.length <= MAX_LISTED_DENIALS + 2, `${result.denials.length} entries`);
  const total = (capability: string) => result.denials.filter((d) => d.capability === capability).reduce((sum, d) => sum + denialCount(d), 0);
  assert.equal(total('emit'), 20_000);
  assert.equal(total('secrets'), 50);
  assert.deepEqual(result.denials[0], { plugin: '@fixtures/denier', capability: 'emit', target: 'nope.t0' }, 'the first ones are listed as they were');
});
