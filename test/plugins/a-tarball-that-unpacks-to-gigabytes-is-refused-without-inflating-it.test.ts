// A zip bomb given to the installer: a few MB of gzip that inflate to a
// gigabyte, from a hostile registry or a .tgz an operator installs. The host
// used to hand the whole tarball to the tar parser in one write, which
// inflates it synchronously and whole, and on a problem it only drained the
// entry, so the rest was inflated anyway: the process grew by the unpacked
// size (about 1 GB here, unbounded for a larger file), off the worker's heap
// limits, where an out-of-memory ends the host and every plugin with it. The
// bomb must be refused from its header, an unsafe entry must stop the reading,
// and nothing after the end of the archive may be inflated.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHostFixture, type HostFixture } from './host-fixture.ts';
import { GIGABYTE_OF_ZEROS, MB, declaredGigabyteTarball, peakGrowthDuring, readInChild } from './gzip-bombs.ts';
import { packPlugin, readBytes, validEntries } from './plugin-packages.ts';

/** The process may grow this much while reading a bomb: a fraction of what inflating it would take. */
const MAX_GROWTH_BYTES = 300 * MB;
const plugin = { name: '@acme/bombed', version: '1.0.0' };
/** Its package.json and module, as plain files. */
const pluginFiles = () => validEntries(plugin).map(({ path, body }) => ({ path, body }));

let fx: HostFixture;
before(async () => {
  fx = await startHostFixture();
});
after(() => fx.close());

function assertBounded(growth: number, tarball: Buffer): void {
  assert.ok(growth < MAX_GROWTH_BYTES, `the process grew by ${Math.round(growth / MB)} MB reading a ${Math.round(tarball.length / MB)} MB tarball`);
}

// Unfixed, each read inflated the whole gigabyte: the timeout makes a slower machine's hang a failure.
// Each read runs in a process of its own, so that its peak memory is its own; the installs run in this one's unpack thread.
describe('a tarball that unpacks to gigabytes', { timeout: 120_000 }, () => {
  it('an entry whose header declares a gigabyte is refused with PLEXUS_INVALID_MANIFEST before it is inflated', async () => {
    const tarball = declaredGigabyteTarball(pluginFiles());
    const { code, message, growth } = await readInChild(join(fx.work, 'declared.tgz'), tarball);
    assert.equal(code, 'PLEXUS_INVALID_MANIFEST', message);
    assert.match(message ?? '', /the package unpacks to more than 104857600 bytes/);
    assertBounded(growth, tarball);
  });

  it('an unsafe entry stops the reading: what follows it is not inflated, and the message names it', async () => {
    const link = { path: 'package/dist/passwd', type: 'SymbolicLink', linkpath: '/etc/passwd' } as const;
    const tarball = declaredGigabyteTarball([...pluginFiles(), link]);
    // Limits that the gigabyte would pass: only the link is wrong.
    const { code, message, growth } = await readInChild(join(fx.work, 'link.tgz'), tarball, { maxBytes: 2048 * MB, maxEntries: 10 });
    assert.equal(code, 'PLEXUS_INVALID_MANIFEST', message);
    assert.match(message ?? '', /entry "package\/dist\/passwd" is a SymbolicLink/);
    assertBounded(growth, tarball);
  });

  it('a gigabyte of gzip after the end of a valid archive is never inflated, and the package is read', async () => {
    const tarball = Buffer.concat([await readBytes(await packPlugin(fx.work, plugin)), GIGABYTE_OF_ZEROS]);
    const { paths, message, growth } = await readInChild(join(fx.work, 'trailing-read.tgz'), tarball);
    assert.deepEqual(paths, ['dist/plugin.js', 'package.json'], message);
    assertBounded(growth, tarball);
  });

  describe('through `plexus install` of a .tgz (the unpack thread of the host process)', () => {
    it('the bomb is refused, nothing is installed, and the host process stays small', async () => {
      const { host, work } = fx;
      const tarball = declaredGigabyteTarball(pluginFiles());
      const spec = join(work, 'bomb.tgz');
      await writeFile(spec, tarball);
      let error: (Error & { code?: string }) | undefined;
      const growth = await peakGrowthDuring(() => host.pluginManager.install({ spec }).catch((err: Error) => (error = err)));
      assert.equal(error?.code, 'PLEXUS_INVALID_MANIFEST', error?.message);
      assert.match(error.message, /unpacks to more than/);
      assert.deepEqual(await host.pluginManager.list(), []);
      assertBounded(growth, tarball);
    });

    it('a normal package still installs, even with a gigabyte of gzip after its end', async () => {
      const { host, work } = fx;
      const tarball = Buffer.concat([await readBytes(await packPlugin(work, { ...plugin, version: '1.0.1' })), GIGABYTE_OF_ZEROS]);
      const spec = join(work, 'trailing.tgz');
      await writeFile(spec, tarball);
      let installed: { installed: { version: string } } | undefined;
      const growth = await peakGrowthDuring(async () => (installed = await host.pluginManager.install({ spec })));
      assert.equal(installed?.installed.version, '1.0.1');
      assert.deepEqual(host.plugins.map((p) => `${p.name}@${p.spec.version}`), [`${plugin.name}@1.0.1`]);
      assertBounded(growth, tarball);
    });
  });
});
