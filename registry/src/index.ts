// @plexus/registry: an npm-compatible registry for Plexus plugins.
export { buildRegistry } from './server.ts';
export { startRegistry } from './start.ts';
export type { RunningRegistry } from './start.ts';
export { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_STORAGE, DEFAULT_MAX_TARBALL_BYTES } from './options.ts';
export type { RegistryOptions, StartOptions } from './options.ts';
export { ADMIN_TOKENS_ENV, TOKENS_ENV, tokensFromEnv } from './auth.ts';
export type { Catalog, CatalogEntry, CatalogVersion } from './catalog.ts';
export type { Packument, VersionManifest, Dist } from './packument.ts';
