// Parses the package part of an npm-protocol URL. A router cannot do it: npm
// sends scoped names both escaped (`/@scope%2fname`) and unescaped
// (`/@scope/name`), so the number of path segments of a package depends on
// whether its first one starts with "@".
import { isValidPackageName } from './package-name.ts';

export type NpmTarget =
  | { kind: 'packument'; name: string }
  | { kind: 'version'; name: string; spec: string }
  | { kind: 'tarball'; name: string; file: string }
  | { kind: 'unknown' };

/** The package name `path` starts with (one segment, two if scoped) and the segments after it; undefined if it names no valid package. */
function splitPackagePath(path: string): { name: string; rest: string[] } | undefined {
  const segments = path.split('/');
  const nameLength = segments[0]?.startsWith('@') ? 2 : 1;
  const name = segments.slice(0, nameLength).join('/');
  if (segments.length < nameLength || !isValidPackageName(name)) return undefined;
  return { name, rest: segments.slice(nameLength) };
}

/** `path` is the decoded URL path without its leading "/" and without the query string. */
export function parseNpmPath(path: string): NpmTarget {
  const split = splitPackagePath(path);
  if (split === undefined) return { kind: 'unknown' };
  const { name, rest } = split;
  if (rest.length === 0) return { kind: 'packument', name };
  if (rest.length === 1 && rest[0] !== '' && rest[0] !== '-') return { kind: 'version', name, spec: rest[0]! };
  if (rest[0] === '-') return tarballTarget(name, rest.slice(1));
  return { kind: 'unknown' };
}

/**
 * `<name>/-rev/<rev>`: the path of CouchDB-style document writes. npm sends
 * `npm owner add|rm` there (and `npm unpublish`, which is refused).
 */
export function parseRevisionPath(path: string): { name: string; rev: string } | undefined {
  const split = splitPackagePath(path);
  if (split === undefined) return undefined;
  const { name, rest } = split;
  if (rest.length !== 2 || rest[0] !== '-rev' || rest[1] === '') return undefined;
  return { name, rev: rest[1]! };
}

/**
 * npm computes the tarball URL of a scoped package as `@scope/name/-/@scope/name-1.0.0.tgz`
 * before the registry rewrites it; both that and the canonical `@scope/name/-/name-1.0.0.tgz` resolve.
 */
function tarballTarget(name: string, fileSegments: string[]): NpmTarget {
  const file = fileSegments.join('/');
  const scopePrefix = name.includes('/') ? `${name.slice(0, name.indexOf('/'))}/` : undefined;
  const plain = scopePrefix !== undefined && file.startsWith(scopePrefix) ? file.slice(scopePrefix.length) : file;
  if (plain === '' || plain.includes('/')) return { kind: 'unknown' };
  return { kind: 'tarball', name, file: plain };
}

/** The version a tarball file name stands for, or undefined if the name does not belong to the package. */
export function versionFromTarballFile(unscoped: string, file: string): string | undefined {
  const prefix = `${unscoped}-`;
  if (!file.startsWith(prefix) || !file.endsWith('.tgz')) return undefined;
  const version = file.slice(prefix.length, -'.tgz'.length);
  return version === '' ? undefined : version;
}
