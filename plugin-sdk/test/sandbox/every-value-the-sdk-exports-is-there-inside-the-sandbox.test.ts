// A plugin imports from "@plexus/plugin-sdk", and inside the sandbox that
// module is the SDK's own source (sdk-source.ts). Every value the package's
// entry point exports must be there too: a name the types offer but the
// sandbox lacked would type-check and build, then fail every delivery at load.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as sdk from '../../src/index.ts';
import { SandboxFixture } from './sandbox-fixture.ts';

const sandbox = new SandboxFixture();
before(() => sandbox.start());
after(() => sandbox.stop());

test('a plugin can import every value export of @plexus/plugin-sdk, and they behave as outside', async () => {
  const names = Object.keys(sdk).sort();
  assert.ok(names.includes('isPlexusErrorCode') && names.includes('definePlugin'), names.join(', '));
  const spec = await sandbox.spec({
    name: 'sdk-exports',
    subscribe: ['test.#'],
    source: `import { ${names.join(', ')} } from '@plexus/plugin-sdk';
const exported = { ${names.join(', ')} };
export default definePlugin({ async execute(event, ctx) {
  const error = new PlexusError('PLEXUS_NOT_FOUND', 'x');
  ctx.log.info('exports', { types: Object.fromEntries(Object.entries(exported).map(([k, v]) => [k, typeof v])), known: isPlexusErrorCode('PLEXUS_NOT_FOUND'), status: error.status, code: toErrorData(error).code, codes: ERROR_CODES.length });
} });
`,
  });
  const result = await sandbox.run(spec);
  const outcome = result.outcomes[0];
  assert.ok(outcome?.ok, JSON.stringify(outcome));
  const fields = outcome.logs[0]?.fields as { types: Record<string, string>; known: boolean; status: number; code: string; codes: number };
  assert.deepEqual(fields.types, Object.fromEntries(names.map((n) => [n, typeof (sdk as Record<string, unknown>)[n]])));
  assert.equal(fields.known, true);
  assert.equal(fields.status, 404);
  assert.equal(fields.code, 'PLEXUS_NOT_FOUND');
  assert.equal(fields.codes, sdk.ERROR_CODES.length);
});
