// pacote and the npm fetch stack under it were ~150 ms of CPU at every start
// of a host, a CLI command and each test that imports one, most of which
// install nothing. They load at the first fetch instead. This file imports
// nothing else first, so what is loaded is what the host's modules load.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { loadedPackages } from '../../plugin-sdk/test/helpers/loaded-packages.ts';

test('importing the host loads no npm fetcher; the first install loads it and fetches', async () => {
  await import('../../src/host/host.ts');
  await import('../../src/plugins/plugin-manager.ts');
  assert.ok(loadedPackages().has('prom-client'), 'the check sees packages the host does load');
  assert.ok(!loadedPackages().has('pacote'), 'pacote is loaded with the host');
  assert.ok(!loadedPackages().has('npm-registry-fetch'), 'npm-registry-fetch is loaded with the host');

  const { fetchPackage } = await import('../../src/plugins/fetch-package.ts');
  const folder = fileURLToPath(new URL('../../plugins/dedup-counter', import.meta.url));
  const fetched = await fetchPackage({ kind: 'folder', path: folder }, { registry: 'http://127.0.0.1:9/', hostApiVersion: '1.0.0' });
  assert.ok(fetched.tarball.length > 0);
  assert.match(fetched.integrity, /^sha512-/);
  assert.ok(loadedPackages().has('pacote'));
});
