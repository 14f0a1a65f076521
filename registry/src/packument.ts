// The stored package document ("packument") and the only ways it changes:
// adding a version, moving dist-tags and replacing its maintainers. Pure
// functions returning new documents, so the write paths can compute the next
// state before they write. Who may make a change is ownership.ts's rule;
// withVersion applies it itself, since a publish is also what creates a package.
import { PlexusError } from '@plexus/plugin-sdk';
import semver from 'semver';
import { assertMayWrite, maintainer, type Maintainer } from './ownership.ts';

export interface Dist {
  integrity: string;
  shasum: string;
  /** Absolute URL; only in documents served to clients, never stored (the host name is per request). */
  tarball?: string;
  fileCount?: number;
  unpackedSize?: number;
}

export interface VersionManifest {
  name: string;
  version: string;
  dist: Dist;
  [field: string]: unknown;
}

export interface Packument {
  _id: string;
  name: string;
  description?: unknown;
  keywords?: unknown;
  license?: unknown;
  readme?: unknown;
  /** Token identities that may write the package (ownership.ts); `email` is always empty. */
  maintainers: Maintainer[];
  'dist-tags': Record<string, string>;
  versions: Record<string, VersionManifest>;
  /** `created`, `modified` and one ISO timestamp per version. */
  time: Record<string, string>;
}

/** Fields mirrored from the `latest` version to the top of the document, where `npm view` and search read them. */
const TOP_LEVEL_FIELDS = ['description', 'keywords', 'license', 'readme'] as const;

export function emptyPackument(name: string, now: Date): Packument {
  const at = now.toISOString();
  return { _id: name, name, maintainers: [], 'dist-tags': {}, versions: {}, time: { created: at, modified: at } };
}

export function assertTagName(tag: string): void {
  // npm refuses tags that parse as ranges (`npm install pkg@1.x` would be ambiguous).
  if (!/^[A-Za-z0-9][A-Za-z0-9._~-]*$/.test(tag) || semver.validRange(tag) !== null) {
    throw new PlexusError('PLEXUS_INVALID_REQUEST', `"${tag}" is not a valid dist-tag (letters, digits, ".", "_", "~", "-"; not a semver range)`);
  }
}

/**
 * Adds a version (immutable once there) and points `tags` at it; `latest` is
 * created if the package has none. The first version of a new package makes
 * `publisher` its sole maintainer; on an existing one `publisher` must be a
 * maintainer or a registry admin (`publisherIsAdmin`; PLEXUS_FORBIDDEN
 * otherwise), and the maintainers stay as they are.
 */
export function withVersion(doc: Packument, manifest: VersionManifest, tags: readonly string[], publisher: string, now: Date, publisherIsAdmin = false): Packument {
  const { version } = manifest;
  const isNew = Object.keys(doc.versions).length === 0 && doc.maintainers.length === 0;
  if (!isNew) assertMayWrite(doc, { name: publisher, admin: publisherIsAdmin });
  if (Object.hasOwn(doc.versions, version)) {
    throw new PlexusError(
      'PLEXUS_CONFLICT',
      `${doc.name}@${version} is already published and versions are immutable; bump "version" in package.json and publish again`,
    );
  }
  tags.forEach(assertTagName);
  const distTags = { ...doc['dist-tags'] };
  for (const tag of tags) distTags[tag] = version;
  if (distTags.latest === undefined) distTags.latest = version;
  const at = now.toISOString();
  const maintainers = isNew ? [maintainer(publisher)] : doc.maintainers;
  return withTopLevelFields({
    ...doc,
    maintainers,
    'dist-tags': distTags,
    versions: { ...doc.versions, [version]: manifest },
    time: { ...doc.time, modified: at, [version]: at },
  });
}

export function withDistTag(doc: Packument, tag: string, version: string, now: Date): Packument {
  assertTagName(tag);
  if (!Object.hasOwn(doc.versions, version)) {
    throw new PlexusError('PLEXUS_NOT_FOUND', `${doc.name} has no version ${version}; a dist-tag can only point at a published version`);
  }
  return withTopLevelFields({ ...doc, 'dist-tags': { ...doc['dist-tags'], [tag]: version }, time: { ...doc.time, modified: now.toISOString() } });
}

export function withoutDistTag(doc: Packument, tag: string, now: Date): Packument {
  // Every installer resolves a bare name through `latest`; removing it would make the package uninstallable.
  if (tag === 'latest') throw new PlexusError('PLEXUS_INVALID_REQUEST', 'The "latest" dist-tag cannot be removed; point it at another version instead');
  if (!Object.hasOwn(doc['dist-tags'], tag)) throw new PlexusError('PLEXUS_NOT_FOUND', `${doc.name} has no dist-tag "${tag}"`);
  const distTags = { ...doc['dist-tags'] };
  delete distTags[tag];
  return { ...doc, 'dist-tags': distTags, time: { ...doc.time, modified: now.toISOString() } };
}

/** Replaces the maintainers with a list ownership.ts nextMaintainers checked. */
export function withMaintainers(doc: Packument, maintainers: readonly Maintainer[], now: Date): Packument {
  return { ...doc, maintainers: [...maintainers], time: { ...doc.time, modified: now.toISOString() } };
}

export function latestManifest(doc: Packument): VersionManifest | undefined {
  const latest = doc['dist-tags'].latest;
  return latest === undefined ? undefined : doc.versions[latest];
}

/** A version by exact version or by dist-tag, the way `GET /:pkg/:spec` resolves it. */
export function resolveSpec(doc: Packument, spec: string): VersionManifest | undefined {
  const version = Object.hasOwn(doc['dist-tags'], spec) ? doc['dist-tags'][spec]! : spec;
  return Object.hasOwn(doc.versions, version) ? doc.versions[version] : undefined;
}

function withTopLevelFields(doc: Packument): Packument {
  const latest = latestManifest(doc);
  if (latest === undefined) return doc;
  const next: Packument = { ...doc };
  for (const field of TOP_LEVEL_FIELDS) {
    if (latest[field] === undefined) delete next[field];
    else next[field] = latest[field];
  }
  return next;
}
