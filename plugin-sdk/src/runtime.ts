// @plexus/plugin-sdk/runtime: what the host (and the registry) use to load and
// check plugins. Not for plugin code: a plugin imports "@plexus/plugin-sdk".
export { createAjv, describeAjvErrors, formatProblems, jsonPointerToPath } from './manifest/ajv.ts';
export type { FieldProblem } from './manifest/ajv.ts';
export { MANIFEST_SCHEMA, PACKAGE_SCHEMA } from './manifest/manifest-schema.ts';
export { validatePackageJson, isSafeRelativePath, isValidHostGrant } from './manifest/validate-manifest.ts';
export { assertApiCompatible, isApiCompatible } from './manifest/api-compat.ts';
export { validatePluginConfig, deepFreeze, ConfigValidators } from './manifest/config.ts';
export { parseGrants, effectiveCapabilities, missingGrants, patternCovers, canEmit, NO_CAPABILITIES } from './manifest/grants.ts';
export type { GrantSet, EffectiveCapabilities } from './manifest/grants.ts';
export { topicMatches, matchesAny, topicPatternProblem, isValidEventType } from './topics.ts';
export { guardedFetch } from './capabilities/fetch.ts';
export type { FetchRequestData, FetchResponseData, FetchHooks } from './capabilities/fetch.ts';
export { createFetchPolicy, DEFAULT_FETCH_LIMITS } from './capabilities/fetch-policy.ts';
export type { FetchPolicy, FetchLimits } from './capabilities/fetch-policy.ts';
export { loadPlugin, readPackageJson, readConfigSchema, resolveLimits, DEFAULT_LIMITS, DEFAULT_CEILING } from './manifest/load-plugin.ts';
export type { LoadPluginOptions, LoadedPlugin, LimitCeiling } from './manifest/load-plugin.ts';
export { SandboxPool } from './sandbox/sandbox-pool.ts';
export type { KvHandler, SandboxPoolOptions } from './sandbox/sandbox-pool.ts';
export type { CallOutcome, CleanupReport, Denial, EmittedRecord, PluginRuntimeSpec, RestartCause, RunResult, SandboxLimits, KvOp, WarmReport } from './sandbox/protocol.ts';
export { isPermanentFailure } from './sandbox/failure-class.ts';
export { CLEAN_OK, failure } from './sandbox/outcome-check.ts';
export { denialCount, MAX_LISTED_DENIALS } from './sandbox/denial-list.ts';
export { toEmittedEvents } from './emitted-events.ts';
export { childTraceparent, isValidTraceparent, newTraceparent, parseTraceparent } from './traceparent.ts';
export type { RandomBytes, Traceparent } from './traceparent.ts';
export { assertJsonDepth, MAX_JSON_DEPTH, parseJsonSafely } from './safe-json.ts';
export { checkIncrement, incrementJsonNumber, parseJsonNumber } from './kv-number.ts';
export { parseStrictArgs } from './cli/strict-args.ts';
