// Which version of a plugin to install: the one the operator's range (or
// dist-tag) allows whose `plexus.apiVersion` accepts this host, the latest
// tag's first, then the highest, as npm picks. npm would take it and fail
// later; a plugin host must skip versions written for another host API, and
// say which ones it saw when none fits.
import semver from 'semver';
import { PlexusError } from '@plexus/plugin-sdk';
import { isApiCompatible } from '@plexus/plugin-sdk/runtime';
import type { Packument, PackumentVersion } from 'pacote';

export type VersionSelector = { range: string } | { tag: string };

/** The versions the selector allows, highest first (a tag allows exactly one). */
export function candidateVersions(packument: Packument, selector: VersionSelector): PackumentVersion[] {
  // The range is matched against each key but the entry's own `version` is what gets fetched and checked against
  // the tarball: an entry naming another version (a range's way out of itself) counts as not published.
  const versions = Object.fromEntries(Object.entries(packument.versions).filter(([key, manifest]) => manifest?.version === key));
  if ('tag' in selector) {
    const version = packument['dist-tags'][selector.tag];
    const manifest = version === undefined ? undefined : versions[version];
    if (!manifest) throw new PlexusError('PLEXUS_NOT_FOUND', `${packument.name} has no dist-tag "${selector.tag}" (tags: ${Object.keys(packument['dist-tags']).join(', ') || 'none'})`);
    return [manifest];
  }
  const matching = Object.keys(versions)
    .filter((v) => semver.valid(v) !== null && semver.satisfies(v, selector.range))
    .sort(semver.rcompare)
    .map((v) => versions[v] as PackumentVersion);
  // No version given and only prereleases published (which '*' never matches): what npm installs, the latest tag.
  const latest = packument['dist-tags'].latest;
  const latestManifest = latest === undefined ? undefined : versions[latest];
  if (matching.length === 0 && selector.range === '*' && latestManifest !== undefined) return [latestManifest];
  if (matching.length === 0) {
    throw new PlexusError('PLEXUS_NOT_FOUND', `no version of ${packument.name} matches "${selector.range}" (published: ${Object.keys(versions).join(', ') || 'none'})`);
  }
  // npm's choice (npm-pick-manifest): the latest tag's version when the range allows it, then
  // the highest. A version above it was published under another tag (next, beta) for those who ask.
  const tagged = matching.findIndex((m) => m.version === latest);
  return tagged > 0 ? [matching[tagged] as PackumentVersion, ...matching.slice(0, tagged), ...matching.slice(tagged + 1)] : matching;
}

/** True when some candidate lacks its `plexus` object: the registry sent a plain abbreviated packument. */
export function lacksManifests(candidates: readonly PackumentVersion[]): boolean {
  return candidates.some((c) => c.plexus === undefined);
}

/** The first (highest) candidate whose apiVersion accepts the host; PLEXUS_INCOMPATIBLE_API naming every one seen otherwise. */
export function pickCompatible(name: string, candidates: readonly PackumentVersion[], hostApiVersion: string): PackumentVersion {
  // A version with no apiVersion is not a Plexus plugin (an empty range would read as '*' and accept every host).
  const compatible = candidates.find((c) => {
    const range = apiRange(c);
    return range !== undefined && isApiCompatible(range, hostApiVersion);
  });
  if (compatible) return compatible;
  const seen = Object.fromEntries(candidates.map((c) => [c.version, apiRange(c) ?? 'not a Plexus plugin']));
  const list = Object.entries(seen).map(([v, api]) => `${v} (apiVersion ${api})`).join(', ');
  throw new PlexusError('PLEXUS_INCOMPATIBLE_API', `no version of ${name} works with host API ${hostApiVersion}; versions seen: ${list}`, {
    details: { plugin: name, hostApiVersion, versions: seen },
  });
}

function apiRange(manifest: PackumentVersion): string | undefined {
  const plexus = manifest.plexus;
  if (typeof plexus !== 'object' || plexus === null) return undefined;
  const range = (plexus as { apiVersion?: unknown }).apiVersion;
  return typeof range === 'string' ? range : undefined;
}
