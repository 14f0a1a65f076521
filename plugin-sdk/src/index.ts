// @plexus/plugin-sdk: what a plugin author imports.
export { HOST_API_VERSION, PermanentError, definePlugin } from './plugin-api.ts';
export type { PluginHooks } from './plugin-api.ts';
export { ERROR_CATALOG, ERROR_CODES, PlexusError, isPlexusErrorCode, toErrorData } from './errors.ts';
export type { ErrorData, PlexusErrorCode } from './errors.ts';
export type * from './types.ts';
