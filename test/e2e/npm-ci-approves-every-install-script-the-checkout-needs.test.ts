// npm 11.16+ warns at every `npm ci` about dependencies whose install scripts
// the root package.json's `allowScripts` does not cover, and npm 12 skips
// them: without node's preinstall there is no Node 24 in node_modules/.bin,
// and `npm test` runs on whatever node is on PATH. The root approves exactly
// the installed packages (workspaces' included) that have such scripts.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { packagesWithInstallScripts } from '../../plugin-sdk/test/helpers/install-scripts.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test("the root package.json's allowScripts names every installed package with an install script, and nothing else", () => {
  const root = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { allowScripts?: Record<string, boolean>; workspaces: string[] };
  const needed = new Set(packagesWithInstallScripts(ROOT, { dev: true }));
  // The workspaces as npm expands them (a trailing /* is every folder with a package.json in it).
  const workspaces = root.workspaces.flatMap((w) => (w.endsWith('/*') ? readdirSync(`${ROOT}/${w.slice(0, -2)}`).map((d) => `${w.slice(0, -2)}/${d}`) : [w]));
  for (const workspace of workspaces.filter((w) => existsSync(`${ROOT}/${w}/package.json`))) {
    for (const name of packagesWithInstallScripts(`${ROOT}/${workspace}`, { dev: true })) needed.add(name);
  }
  assert.ok(needed.has('node'), `the tree is read (found: ${[...needed].join(', ')})`);
  assert.deepEqual(root.allowScripts, Object.fromEntries([...needed].sort().map((name) => [name, true])));
});
