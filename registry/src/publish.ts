// Publishing one version: check the tarball against the metadata, refuse
// broken plugins, then — serialized per package — add the version to the
// packument and store the tarball. The checks run before taking the lock so
// concurrent publishes only queue for the short read-modify-write. Only a
// maintainer, or a registry admin, may publish a version of an existing package (ownership.ts).
import { PlexusError } from '@plexus/plugin-sdk';
import { isDeepStrictEqual } from 'node:util';
import { sha1Hex, sriOf } from './integrity.ts';
import type { KeyedMutex } from './keyed-mutex.ts';
import { tarballFileName } from './package-name.ts';
import { assertMayWrite, type Writer } from './ownership.ts';
import { emptyPackument, withVersion, type VersionManifest } from './packument.ts';
import { checkPluginPackage, claimsToBePlugin } from './plugin-check.ts';
import type { PublishRequest } from './publish-request.ts';
import type { PackageStore } from './storage.ts';
import { readTarball, type TarballContents } from './tarball.ts';

export interface PublishDeps {
  store: PackageStore;
  locks: KeyedMutex;
  now: () => Date;
}

/**
 * Fields that must be identical in the metadata and in the tarball's package.json:
 * installers trust the metadata, the host trusts the files, and a difference
 * would let a package show one manifest and run another.
 */
const MUST_MATCH = ['name', 'version', 'plexus'] as const;

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'];

export async function publishVersion(deps: PublishDeps, request: PublishRequest, publisher: Writer): Promise<VersionManifest> {
  // Early, so a non-maintainer's tarball is not unpacked; withVersion checks again under the lock, where it counts.
  const existing = await deps.store.readPackument(request.name);
  if (existing !== undefined) assertMayWrite(existing, publisher);
  const contents = await readTarball(request.tarball);
  assertTarballMatches(request.manifest, contents.packageJson);
  for (const pkg of [contents.packageJson, request.manifest]) {
    if (claimsToBePlugin(pkg)) checkPluginPackage(pkg, contents.files);
  }
  const manifest = storedManifest(request, contents, publisher.name);
  await deps.locks.run(request.name, async () => {
    const current = (await deps.store.readPackument(request.name)) ?? emptyPackument(request.name, deps.now());
    const next = withVersion(current, manifest, request.tags, publisher.name, deps.now(), publisher.admin);
    // Tarball first: a packument never lists a version whose tarball is missing.
    await deps.store.writeTarball(request.name, tarballFileName(request.name, request.version), request.tarball);
    await deps.store.writePackument(next);
  });
  return manifest;
}

export function assertTarballMatches(metadata: Record<string, unknown>, packageJson: Record<string, unknown>): void {
  for (const field of MUST_MATCH) {
    if (!isDeepStrictEqual(metadata[field], packageJson[field])) {
      throw new PlexusError(
        'PLEXUS_INTEGRITY_MISMATCH',
        `package/package.json in the tarball does not match the published metadata: "${field}" is ${describe(packageJson[field])} in the tarball but ${describe(metadata[field])} in the metadata`,
      );
    }
  }
}

/** The version as stored: the client's manifest with hashes and facts the registry computed itself. */
function storedManifest(request: PublishRequest, contents: TarballContents, publisher: string): VersionManifest {
  const scripts = request.manifest.scripts;
  const hasInstallScript = typeof scripts === 'object' && scripts !== null && INSTALL_SCRIPTS.some((s) => Object.hasOwn(scripts, s));
  return {
    ...request.manifest,
    name: request.name,
    version: request.version,
    _id: `${request.name}@${request.version}`,
    _npmUser: { name: publisher, email: '' },
    ...(hasInstallScript ? { hasInstallScript: true } : {}),
    // Only hashes computed here: client-sent dist fields (URLs, signatures) are claims this registry cannot vouch for.
    dist: {
      integrity: sriOf(request.tarball),
      shasum: sha1Hex(request.tarball),
      fileCount: contents.files.size,
      unpackedSize: contents.unpackedSize,
    },
  };
}

function describe(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}
