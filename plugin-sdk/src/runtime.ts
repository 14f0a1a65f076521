// @plexus/plugin-sdk/runtime: what the host (and the registry) use to load and
// check plugins. Not for plugin code: a plugin imports "@plexus/plugin-sdk".
export { createAjv, describeAjvErrors, formatProblems, jsonPointerToPath } from './manifest/ajv.ts';
export type { FieldProblem } from './manifest/ajv.ts';
export { MANIFEST_SCHEMA, PACKAGE_SCHEMA } from './manifest/manifest-schema.ts';
export { validatePackageJson, isSafeRelativePath, isValidHostGrant } from './manifest/validate-manifest.ts';
export { assertApiCompatible, isApiCompatible } from './manifest/api-compat.ts';
export { validatePluginConfig, deepFreeze } from './manifest/config.ts';
export { parseGrants, effectiveCapabilities, missingGrants, patternCovers, canEmit, NO_CAPABILITIES } from './manifest/grants.ts';
export type { GrantSet, EffectiveCapabilities } from './manifest/grants.ts';
export { topicMatches, matchesAny, topicPatternProblem, isValidEventType } from './topics.ts';
