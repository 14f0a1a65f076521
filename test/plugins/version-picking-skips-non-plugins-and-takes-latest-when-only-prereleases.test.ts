// Which version `plexus install <name>` takes. A newer version with no
// apiVersion (a plain npm package, or a malformed one) is not a Plexus
// plugin: it used to count as compatible (an empty range reads as '*') and
// hid the plugin below it. A package that has only prereleases installs its
// latest tag, as npm does ('*' matches no prerelease).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Packument } from 'pacote';
import { PlexusError } from '@plexus/plugin-sdk';
import { candidateVersions, pickCompatible } from '../../src/plugins/pick-version.ts';

const manifest = (name: string, version: string, plexus?: unknown) => ({ name, version, ...(plexus === undefined ? {} : { plexus }), dist: { tarball: `http://r/${name}-${version}.tgz`, integrity: 'sha512-x' } });
const packument = (name: string, latest: string, versions: ReturnType<typeof manifest>[]) =>
  ({ name, 'dist-tags': { latest }, versions: Object.fromEntries(versions.map((v) => [v.version, v])) }) as unknown as Packument;

test('a higher version without a string apiVersion is skipped for the plugin below it', () => {
  const p = packument('p', '1.2.0', [manifest('p', '1.0.0', { apiVersion: '^1.0.0' }), manifest('p', '1.1.0'), manifest('p', '1.2.0', { apiVersion: 42 })]);
  assert.equal(pickCompatible('p', candidateVersions(p, { range: '*' }), '1.0.0').version, '1.0.0');
});

test('when no version is a plugin, the refusal says which were not', () => {
  const p = packument('p', '1.1.0', [manifest('p', '1.1.0')]);
  assert.throws(() => pickCompatible('p', candidateVersions(p, { range: '*' }), '1.0.0'), (err: unknown) => err instanceof PlexusError && err.code === 'PLEXUS_INCOMPATIBLE_API' && /1\.1\.0 \(apiVersion not a Plexus plugin\)/.test(err.message));
});

test('only prereleases published and no version asked for: the latest tag', () => {
  const q = packument('q', '1.0.0-beta.2', [manifest('q', '1.0.0-beta.1', { apiVersion: '^1.0.0' }), manifest('q', '1.0.0-beta.2', { apiVersion: '^1.0.0' })]);
  assert.equal(pickCompatible('q', candidateVersions(q, { range: '*' }), '1.0.0').version, '1.0.0-beta.2');
  // An explicit range keeps semver's rule: it names prereleases itself or gets none.
  assert.throws(() => candidateVersions(q, { range: '^1.0.0' }), (err: unknown) => err instanceof PlexusError && err.code === 'PLEXUS_NOT_FOUND');
});
