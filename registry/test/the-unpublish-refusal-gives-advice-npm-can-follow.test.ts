// `npm unpublish` is refused (versions are immutable) with advice. The advice
// used to be "Deprecate a version instead (npm deprecate)", which this
// registry refuses too: the author followed it into a second error. Here the
// advice is followed with the real npm CLI and must work.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { pluginPackageJson, request, writePackageDir } from './helpers/packages.ts';
import { npmSuite } from './helpers/registry-fixture.ts';

const suite = npmSuite();

test('npm unpublish is refused with advice that npm can carry out', async () => {
  const { npm, dir, url } = suite();
  for (const version of ['1.0.0', '1.1.0']) {
    const published = await npm.run(['publish'], await writePackageDir(join(dir, version), pluginPackageJson('regretted', version)));
    assert.equal(published.code, 0, published.stderr);
  }
  const unpublish = await npm.run(['unpublish', 'regretted@1.1.0'], dir);
  assert.notEqual(unpublish.code, 0);
  assert.match(unpublish.stderr, /PLEXUS_INVALID_REQUEST: Unpublishing is not supported: published versions are immutable/);

  // Every npm command the refusal names, run as it says, must succeed here.
  const advised = [...unpublish.stderr.matchAll(/\(npm ([a-z-]+)([^)]*)\)/g)];
  assert.ok(advised.length > 0, `the refusal names a command: ${unpublish.stderr}`);
  for (const [, command, args] of advised) {
    const argv = [command!, ...args!.trim().split(/\s+/).filter(Boolean).map((arg) => arg.replace('<pkg>', 'regretted').replace('<version>', '1.0.0'))];
    if (command === 'deprecate') argv.push('regretted@1.1.0', 'do not use');
    const followed = await npm.run(argv, dir);
    assert.equal(followed.code, 0, `npm ${argv.join(' ')} failed:\n${followed.stderr}`);
  }
  assert.equal(((await request(`${url}/regretted`)).body as { 'dist-tags': Record<string, string> })['dist-tags'].latest, '1.0.0');
});
