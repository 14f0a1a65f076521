// Search and the catalog read every stored packument. Opening them all at once
// needs one file descriptor per package per request: a registry with more
// packages than its fd limit (or a few concurrent anonymous searches) got
// EMFILE, answered 500, and starved every other request of descriptors,
// publishes and new connections included. The bin runs here under a low fd
// limit with more packages than that limit.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { emptyPackument, withVersion } from '../src/packument.ts';
import { PackageStore } from '../src/storage.ts';
import { pluginPackageJson, publish } from './helpers/packages.ts';
import { listeningLine } from './helpers/registry-fixture.ts';

const BIN = fileURLToPath(new URL('../bin/plexus-registry.js', import.meta.url));
const FD_LIMIT = 256;
const PACKAGES = 600;

test('search and the catalog work with more packages than the fd limit, also several at once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plexus-registry-fds-'));
  const storage = join(dir, 'store');
  const store = new PackageStore(storage);
  const at = new Date('2026-01-01T00:00:00.000Z');
  for (let i = 0; i < PACKAGES; i++) {
    const name = `many-${String(i).padStart(4, '0')}`;
    const manifest = { ...pluginPackageJson(name, '1.0.0'), dist: { integrity: 'sha512-x', shasum: 'x' } };
    await store.writePackument(withVersion(emptyPackument(name, at), manifest, ['latest'], 'p', at));
  }
  // `ulimit -n` in the shell lowers the hard limit too, so node cannot raise it back.
  const child = spawn('sh', ['-c', `ulimit -n ${FD_LIMIT} && exec "$0" "$@"`, process.execPath, BIN, '--port', '0', '--storage', storage], {
    env: { ...process.env, PLEXUS_REGISTRY_TOKENS: 'fd-token' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const { url } = await listeningLine(child);
    const [searches, catalog] = await Promise.all([
      Promise.all(Array.from({ length: 4 }, () => fetch(`${url}/-/v1/search?text=many&size=3`).then(async (res) => ({ status: res.status, body: (await res.json()) as { total: number } })))),
      fetch(`${url}/-/plexus/catalog`).then(async (res) => ({ status: res.status, body: (await res.json()) as { plugins: unknown[] } })),
    ]);
    for (const search of searches) {
      assert.equal(search.status, 200, JSON.stringify(search.body));
      assert.equal(search.body.total, PACKAGES);
    }
    assert.equal(catalog.status, 200, JSON.stringify(catalog.body));
    assert.equal(catalog.body.plugins.length, PACKAGES);
    // And the registry still takes writes afterwards.
    assert.equal((await publish(url, pluginPackageJson('after-search', '1.0.0'), 'fd-token')).status, 201);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
});
