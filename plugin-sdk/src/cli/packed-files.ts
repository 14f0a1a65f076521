// Would `npm publish` put a file the manifest names into the tarball? Hosts
// and the Plexus registry read plexus.main and a plexus.config file from the
// tarball, while the build and createTestHost read the package folder, so a
// file that package.json "files" leaves out passed build and test and was
// refused only at publish or install. This follows npm's "files" rules for
// what they can decide (entries as paths, folders or globs; a leading "./" or
// "/"; "!" entries taking files out again) and says yes when unsure
// (.npmignore, no "files" at all), leaving the last word to the registry.
import { matchesGlob } from 'node:path';
import { PlexusError } from '../errors.ts';
import type { PluginPackageJson } from '../types.ts';

/** A "files" entry as npm reads it: relative to the package root, no trailing slash. */
const normalize = (entry: string): string => entry.trim().replace(/^(?:\.?\/)+/, '').replace(/\/+$/, '');

/** The entry names the file itself, a folder above it, or a glob matching either. */
function covers(entry: string, path: string): boolean {
  if (entry === '' || entry === '.') return true;
  const folders = path.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  return [path, ...folders].some((candidate) => candidate === entry || matchesGlob(candidate, entry));
}

/** Whether npm's "files" keeps `path` (relative, forward slashes) in the tarball; true when "files" does not decide. */
export function filesKeep(files: unknown, path: string): boolean {
  if (!Array.isArray(files)) return true;
  const entries = files.filter((f): f is string => typeof f === 'string');
  const included = entries.filter((e) => !e.startsWith('!')).some((e) => covers(normalize(e), path));
  const excluded = entries.filter((e) => e.startsWith('!')).some((e) => covers(normalize(e.slice(1)), path));
  return included && !excluded;
}

/** Refuses the package if "files" leaves out plexus.main or a plexus.config file, naming the field and the fix. */
export function assertManifestFilesPacked(pkg: PluginPackageJson): void {
  const named: [string, string][] = [['plexus.main', pkg.plexus.main]];
  if (typeof pkg.plexus.config === 'string') named.push(['plexus.config', pkg.plexus.config]);
  for (const [field, raw] of named) {
    const path = normalize(raw);
    if (filesKeep(pkg['files'], path)) continue;
    throw new PlexusError(
      'PLEXUS_INVALID_MANIFEST',
      `${field}: "${raw}" is not in package.json "files", so npm publish would leave it out and registries and hosts would refuse the package: add "${path}" (or its folder) to "files"`,
    );
  }
}
