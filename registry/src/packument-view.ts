// What clients receive: the stored packument with absolute tarball URLs, in
// full or in npm's abbreviated "corgi" form (`Accept: application/vnd.npm.install-v1+json`),
// which installers ask for because it is much smaller.
import { tarballFileName } from './package-name.ts';
import type { Packument, VersionManifest } from './packument.ts';
import { revisionOf } from './revision.ts';

export const ABBREVIATED_MEDIA_TYPE = 'application/vnd.npm.install-v1+json';

/**
 * The version fields npm's abbreviated format keeps (see npm's registry docs),
 * plus `plexus`: the host resolves plugin versions from this document and needs
 * each version's manifest (apiVersion, capabilities) to pick a compatible one.
 */
const ABBREVIATED_VERSION_FIELDS = [
  'name', 'version', 'deprecated', 'dependencies', 'optionalDependencies', 'devDependencies',
  'bundleDependencies', 'peerDependencies', 'peerDependenciesMeta', 'bin', 'directories',
  'engines', 'os', 'cpu', 'libc', 'funding', 'license', '_hasShrinkwrap', 'hasInstallScript', 'plexus',
] as const;

export interface AbbreviatedPackument {
  name: string;
  modified: string;
  'dist-tags': Record<string, string>;
  versions: Record<string, Record<string, unknown>>;
}

export function wantsAbbreviated(accept: string | undefined): boolean {
  return accept !== undefined && accept.toLowerCase().includes(ABBREVIATED_MEDIA_TYPE);
}

export function tarballUrl(baseUrl: string, name: string, version: string): string {
  return `${baseUrl}/${name}/-/${tarballFileName(name, version)}`;
}

export function servedVersion(manifest: VersionManifest, baseUrl: string): VersionManifest {
  return { ...manifest, dist: { ...manifest.dist, tarball: tarballUrl(baseUrl, manifest.name, manifest.version) } };
}

/** `doc` as stored; `_rev` is computed from it here (only `npm owner` needs it, and only the full document). */
export function fullDocument(doc: Packument, baseUrl: string): Packument & { _rev: string } {
  const versions = Object.fromEntries(Object.entries(doc.versions).map(([v, m]) => [v, servedVersion(m, baseUrl)]));
  return { ...doc, _rev: revisionOf(doc), versions };
}

export function abbreviatedDocument(doc: Packument, baseUrl: string): AbbreviatedPackument {
  const versions = Object.fromEntries(
    Object.entries(doc.versions).map(([v, m]) => [v, abbreviatedVersion(servedVersion(m, baseUrl))]),
  );
  return { name: doc.name, modified: doc.time.modified ?? doc.time.created ?? '', 'dist-tags': doc['dist-tags'], versions };
}

function abbreviatedVersion(manifest: VersionManifest): Record<string, unknown> {
  const out: Record<string, unknown> = { dist: manifest.dist };
  for (const field of ABBREVIATED_VERSION_FIELDS) {
    if (manifest[field] !== undefined) out[field] = manifest[field];
  }
  return out;
}
