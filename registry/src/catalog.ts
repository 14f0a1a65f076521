// The read-only plugin catalog (`GET /-/plexus/catalog`): every package with
// at least one version carrying a `plexus` manifest, with each such version's
// manifest, so an operator (or the host) can see what a plugin asks for before
// installing it. Every `plexus` object here passed the SDK validator at publish.
import semver from 'semver';
import { latestManifest, type Packument } from './packument.ts';

export interface CatalogVersion {
  version: string;
  publishedAt: string | null;
  plexus: unknown;
}

export interface CatalogEntry {
  name: string;
  latest: string | null;
  description: string | null;
  distTags: Record<string, string>;
  /** Oldest first (semver order). */
  versions: CatalogVersion[];
}

export interface Catalog {
  plugins: CatalogEntry[];
}

export function catalogEntry(doc: Packument): CatalogEntry | undefined {
  const versions = Object.values(doc.versions)
    .filter((m) => m.plexus !== undefined)
    .sort((a, b) => semver.compare(a.version, b.version))
    .map((m) => ({ version: m.version, publishedAt: doc.time[m.version] ?? null, plexus: m.plexus }));
  if (versions.length === 0) return undefined;
  const description = latestManifest(doc)?.description;
  return {
    name: doc.name,
    latest: doc['dist-tags'].latest ?? null,
    description: typeof description === 'string' ? description : null,
    distTags: doc['dist-tags'],
    versions,
  };
}

export function buildCatalog(docs: readonly Packument[]): Catalog {
  const plugins = docs
    .map(catalogEntry)
    .filter((entry): entry is CatalogEntry => entry !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name));
  return { plugins };
}
