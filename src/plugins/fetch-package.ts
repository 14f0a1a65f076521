// Gets a plugin's tarball with pacote, npm's own fetcher: packuments (the
// abbreviated form first, the full one only when it lacks `plexus`), tarballs
// verified against the registry's integrity, local folders packed the way
// `npm pack` packs them (npm-packlist; `files`, .npmignore) with scripts off,
// local .tgz files read as they are. npm's errors become PLEXUS_* codes.
//
// No disk cache (pacote's `cache` option is left out, so neither pacote nor
// make-fetch-happen writes one; preferOnline keeps them from reading one).
// A host fetches a version once and keeps it extracted under its state dir,
// packuments are revalidated on every install anyway, and cacache's writes
// and index compaction cost the event loop about half an install's CPU
// (20 -> 9.6 ms of main thread per registry install) while events flow; the
// cache would also grow under the state dir without bound.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PackumentVersion, TarballData } from 'pacote';
import { PlexusError } from '@plexus/plugin-sdk';
import type { PackageSpec } from './package-spec.ts';
import { candidateVersions, lacksManifests, pickCompatible } from './pick-version.ts';

export interface FetchOptions {
  /** npm-compatible registry base URL. */
  registry: string;
  hostApiVersion: string;
}

export interface FetchedPackage {
  tarball: Buffer;
  /** SRI of the tarball: the registry's (verified) or computed for local sources. */
  integrity: string;
  /** Where it came from, for the state file and the operator. */
  source: string;
  /** From a registry: the name and version asked for, which the tarball's package.json must be. */
  expected?: { name: string; version: string };
}

export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

/**
 * pacote and the npm fetch stack under it, loaded at the first fetch: they
 * were ~150 ms of CPU (a third of it) at every start of a host, CLI command
 * or test that imports the plugin manager, most of which install nothing.
 */
const loadPacote = async () => (await import('pacote')).default;
const REQUEST_TIMEOUT_MS = 60_000;

export async function fetchPackage(spec: PackageSpec, options: FetchOptions): Promise<FetchedPackage> {
  // A registry URL may carry credentials (https://user:token@host/): they reach neither the log, the answer nor the state file.
  const registry = withoutCredentials(options.registry);
  const what = spec.kind === 'registry' ? `${spec.name} from ${registry.url}` : spec.path;
  try {
    if (spec.kind === 'registry') return await fromRegistry(spec, options, registry.url);
    if (spec.kind === 'folder') return local(await (await loadPacote()).tarball(spec.path, { ignoreScripts: true, tree: await folderTree(spec.path) }), spec.path);
    return await localTarball(spec.path);
  } catch (err) {
    throw registry.scrub(toPlexusError(err, what));
  }
}

/**
 * A local file, read as it is: the unpack step says whether it is a package.
 * pacote takes a `file:` spec without a tarball's extension for a folder and
 * fails with a message about packing folders (answered as a 503).
 */
async function localTarball(path: string): Promise<FetchedPackage> {
  const bytes = await readFile(path);
  return { tarball: bytes, integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`, source: path };
}

/** The registry URL with any user and password replaced by ***, and a scrub for messages that quote the original. */
function withoutCredentials(registry: string): { url: string; scrub: (err: PlexusError) => PlexusError } {
  let parsed: URL;
  try {
    parsed = new URL(registry);
  } catch {
    return { url: registry, scrub: (err) => err };
  }
  if (parsed.username === '' && parsed.password === '') return { url: registry, scrub: (err) => err };
  const secrets = [parsed.username, parsed.password, decodeURIComponent(parsed.password), decodeURIComponent(parsed.username)].filter((part) => part.length >= 3);
  parsed.username = '***';
  parsed.password = '';
  const hide = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('***'), text);
  return {
    url: parsed.toString(),
    scrub: (err) => {
      const message = hide(err.message);
      return message === err.message ? err : new PlexusError(err.code, message, { ...(err.details === undefined ? {} : { details: err.details }) });
    },
  };
}

async function fromRegistry(spec: Extract<PackageSpec, { kind: 'registry' }>, options: FetchOptions, shownRegistry: string): Promise<FetchedPackage> {
  // A registry that stops answering must not hold the (one at a time) plugin operations forever.
  const pacote = await loadPacote();
  const base = { registry: withSlash(options.registry), preferOnline: true, timeout: REQUEST_TIMEOUT_MS };
  let candidates = candidateVersions(await pacote.packument(spec.name, { ...base, fullMetadata: false }), spec.selector);
  // A registry other than ours (npmjs.org) leaves `plexus` out of the abbreviated form.
  if (lacksManifests(candidates)) candidates = candidateVersions(await pacote.packument(spec.name, { ...base, fullMetadata: true }), spec.selector);
  const chosen = pickCompatible(spec.name, candidates, options.hostApiVersion);
  const integrity = expectedIntegrity(chosen);
  const tarballOptions = { ...base, integrity, ...(chosen.dist?.tarball ? { resolved: chosen.dist.tarball } : {}) };
  const data = await pacote.tarball(`${spec.name}@${chosen.version}`, tarballOptions);
  return { tarball: data, integrity, source: `${spec.name}@${chosen.version} from ${withSlash(shownRegistry)}`, expected: { name: spec.name, version: chosen.version } };
}

/** A hash npm checks a tarball against: pacote checks nothing for an SRI with none ("bogus", "sha512-"). */
const USABLE_SRI_HASH = /^sha(?:1|256|384|512)-[A-Za-z0-9+/]+={0,2}(?:\?\S*)?$/;

/** The SRI the tarball must match; a registry that publishes none (or none usable) is not trusted. */
function expectedIntegrity(manifest: PackumentVersion): string {
  const dist = manifest.dist ?? {};
  if (typeof dist.integrity === 'string' && dist.integrity.split(/\s+/).some((hash) => USABLE_SRI_HASH.test(hash))) return dist.integrity;
  if (typeof dist.shasum === 'string' && /^[0-9a-f]{40}$/i.test(dist.shasum)) return `sha1-${Buffer.from(dist.shasum, 'hex').toString('base64')}`;
  throw new PlexusError('PLEXUS_INTEGRITY_MISMATCH', `the registry gives no integrity for ${manifest.name}@${manifest.version}; refusing to install it unverified`);
}

/** The minimal Arborist node npm-packlist needs for a project root (plugins bundle their dependencies). */
async function folderTree(path: string) {
  let pkg: unknown;
  try {
    pkg = JSON.parse(await readFile(join(path, 'package.json'), 'utf8'));
  } catch (err) {
    throw new PlexusError('PLEXUS_INVALID_MANIFEST', `${path} has no readable package.json: ${(err as Error).message}`);
  }
  if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg)) throw new PlexusError('PLEXUS_INVALID_MANIFEST', `${path}/package.json is not a JSON object`);
  return { path, package: pkg as Record<string, unknown>, isProjectRoot: true, edgesOut: new Map<string, unknown>() };
}

function local(data: TarballData, path: string): FetchedPackage {
  return { tarball: data, integrity: String(data.integrity), source: path };
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'FETCH_ERROR']);

function toPlexusError(err: unknown, what: string): PlexusError {
  if (err instanceof PlexusError) return err;
  const { code, statusCode } = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; statusCode?: unknown };
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'EINTEGRITY') return new PlexusError('PLEXUS_INTEGRITY_MISMATCH', `the tarball of ${what} does not match the registry's integrity: ${message}`, { cause: err });
  if (code === 'E404' || code === 'ENOENT' || code === 'ETARGET' || statusCode === 404) return new PlexusError('PLEXUS_NOT_FOUND', `cannot find ${what}: ${message}`, { cause: err });
  if (code === 'E401' || code === 'E403' || statusCode === 401 || statusCode === 403) return new PlexusError('PLEXUS_UNAUTHORIZED', `the registry refused to serve ${what}: ${message}`, { cause: err });
  if (code === 'Z_DATA_ERROR' || code === 'TAR_BAD_ARCHIVE' || code === 'EJSONPARSE') return new PlexusError('PLEXUS_INVALID_MANIFEST', `${what} is not a valid package: ${message}`, { cause: err });
  const unreachable = (typeof code === 'string' && UNREACHABLE.has(code)) || (typeof statusCode === 'number' && statusCode >= 500);
  return new PlexusError('PLEXUS_UNAVAILABLE', `cannot fetch ${what}${unreachable ? ' (is the registry reachable?)' : ''}: ${message}`, { cause: err });
}
