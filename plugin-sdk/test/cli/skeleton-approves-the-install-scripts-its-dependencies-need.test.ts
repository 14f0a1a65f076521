// npm 11.16+ warns at every install about dependencies whose install scripts
// the project's `allowScripts` does not cover, and npm 12 skips them. An
// author's `npm install` in a fresh skeleton must neither warn nor leave
// isolated-vm without its binary: the skeleton approves exactly the
// dependencies with such scripts that its own dependencies bring.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { skeletonFiles } from '../../src/cli/skeleton-files.ts';
import { packagesWithInstallScripts, type Manifest } from '../helpers/install-scripts.ts';

const SDK = fileURLToPath(new URL('../..', import.meta.url));

test("a fresh skeleton's allowScripts names every package with an install script its devDependencies bring, and nothing else", () => {
  const pkg = JSON.parse(skeletonFiles({ name: 'p' })['package.json'] as string) as Manifest & { allowScripts?: Record<string, boolean> };
  // Its devDependencies (the SDK, TypeScript, Node's types) as installed beside the SDK's checkout.
  const needed = packagesWithInstallScripts(SDK, { dev: true, manifest: pkg });
  assert.ok(needed.includes('isolated-vm'), `the SDK's tree is read (found: ${needed.join(', ')})`);
  assert.deepEqual(pkg.allowScripts, Object.fromEntries(needed.map((name) => [name, true])));
});
