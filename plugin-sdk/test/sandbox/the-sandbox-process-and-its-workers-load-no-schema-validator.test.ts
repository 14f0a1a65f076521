// The sandbox process starts with every host, and again after each crash; its
// workers with it. Parsing grants once pulled in the manifest checks, and with
// them ajv (compiling the manifest schemas at import) and semver: ~0.3-0.9 s of
// every sandbox start on this machine, for code the sandbox never runs. This
// file imports nothing else, so what is loaded is what those modules load.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadedPackages } from '../helpers/loaded-packages.ts';

/** Packages the host uses to check manifests and configs, never the sandbox. */
const HOST_ONLY = ['ajv', 'ajv-formats', 'semver', 'fastify', 'pino', 'yaml'];

test('the modules of the sandbox process and of its workers load no schema validator', async () => {
  // What sandbox-process.ts and worker.ts import (both run code at import, so their dependencies are taken here).
  await import('../../src/sandbox/worker-runtime.ts');
  await import('../../src/sandbox/rerun-after-crash.ts');
  await import('../../src/sandbox/outcome-check.ts');
  await import('../../src/manifest/grants.ts');
  const loaded = HOST_ONLY.filter((name) => loadedPackages().has(name));
  assert.deepEqual(loaded, [], `loaded by the sandbox's modules: ${loaded.join(', ')}`);
  assert.ok(loadedPackages().has('isolated-vm'), 'the check sees packages these modules do load');
});
