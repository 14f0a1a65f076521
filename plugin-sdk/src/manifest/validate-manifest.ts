// Validates a plugin's package.json: the JSON Schema first, then the rules a
// schema cannot say (pattern syntax, paths inside the package, semver ranges,
// host names). Every refusal is PLEXUS_INVALID_MANIFEST naming the field.
import semver from 'semver';
import { PlexusError } from '../errors.ts';
import { topicPatternProblem } from '../topics.ts';
import type { PluginPackageJson } from '../types.ts';
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import { createAjv, describeAjvErrors, formatProblems, type FieldProblem } from './ajv.ts';
import { isValidHostGrant } from './host-grant.ts';
import { MANIFEST_SCHEMA, PACKAGE_SCHEMA } from './manifest-schema.ts';

interface Validators {
  checkPackage: ValidateFunction;
  checkManifest: ValidateFunction;
  metaValidate: Ajv2020;
}

let validators: Validators | undefined;

/**
 * Compiled on first use, not at import: compiling them (and the draft
 * 2020-12 meta-schema ajv checks them against) took ~60 ms of every process
 * that imported the SDK, a CLI command or a test that never reads a manifest.
 */
function compiled(): Validators {
  if (validators === undefined) {
    const ajv = createAjv();
    validators = { checkPackage: ajv.compile(PACKAGE_SCHEMA), checkManifest: ajv.compile(MANIFEST_SCHEMA), metaValidate: createAjv({ strict: false }) };
  }
  return validators;
}

/** A path inside the package: relative, no `..`, no backslashes, no URL scheme. */
export function isSafeRelativePath(path: string): boolean {
  if (path.startsWith('/') || path.includes('\\') || path.includes('\0') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)) return false;
  return path.split('/').every((seg) => seg !== '..');
}

export function validatePackageJson(pkg: unknown): PluginPackageJson {
  const problems: FieldProblem[] = [];
  const { checkPackage } = compiled();
  if (!checkPackage(pkg)) problems.push(...describeAjvErrors(checkPackage.errors, ''));
  const raw = (typeof pkg === 'object' && pkg !== null ? pkg : {}) as Record<string, unknown>;
  if (typeof raw.version === 'string' && !semver.valid(raw.version)) problems.push({ path: 'version', message: 'must be a valid semver version' });
  if (Array.isArray(raw.keywords) ? !raw.keywords.includes('plexus-plugin') : raw.plexus !== undefined)
    problems.push({ path: 'keywords', message: 'must include "plexus-plugin"' });
  if (raw.plexus !== undefined) problems.push(...manifestProblems(raw.plexus));
  if (problems.length > 0) {
    throw new PlexusError('PLEXUS_INVALID_MANIFEST', `Invalid plugin manifest: ${formatProblems(problems)}`, { details: { problems } });
  }
  return pkg as PluginPackageJson;
}

function manifestProblems(manifest: unknown): FieldProblem[] {
  const { checkManifest } = compiled();
  if (!checkManifest(manifest)) return describeAjvErrors(checkManifest.errors, 'plexus');
  const m = manifest as PluginPackageJson['plexus'];
  const problems: FieldProblem[] = [];
  if (!semver.validRange(m.apiVersion)) problems.push({ path: 'plexus.apiVersion', message: 'must be a valid semver range' });
  if (!isSafeRelativePath(m.main) || !/\.m?js$/.test(m.main)) problems.push({ path: 'plexus.main', message: 'must be a relative path to a .js or .mjs file inside the package' });
  m.subscribe.forEach((pattern, i) => {
    const why = topicPatternProblem(pattern);
    if (why) problems.push({ path: `plexus.subscribe[${i}]`, message: why });
  });
  m.capabilities?.emit?.forEach((pattern, i) => {
    const why = topicPatternProblem(pattern);
    if (why) problems.push({ path: `plexus.capabilities.emit[${i}]`, message: why });
  });
  m.capabilities?.http?.hosts.forEach((host, i) => {
    if (!isValidHostGrant(host)) problems.push({ path: `plexus.capabilities.http.hosts[${i}]`, message: 'must be "host" or "host:port"' });
  });
  if (typeof m.config === 'string' && !isSafeRelativePath(m.config)) {
    problems.push({ path: 'plexus.config', message: 'must be a relative path to a .json file inside the package' });
  } else if (typeof m.config === 'object') {
    const why = configSchemaProblem(m.config);
    if (why !== undefined) problems.push({ path: 'plexus.config', message: why });
  }
  return problems;
}

/**
 * Why an inline config schema is refused, or undefined. Config is checked
 * synchronously, so "$async" (a validator that answers a promise, which would
 * pass every config) is refused; a "$schema" other than draft 2020-12 makes
 * ajv throw rather than answer, and is refused by name.
 */
export function configSchemaProblem(schema: object): string | undefined {
  if ((schema as { $async?: unknown }).$async !== undefined) return 'must not be an "$async" schema: config is checked synchronously';
  const declared = (schema as { $schema?: unknown }).$schema;
  if (declared !== undefined && declared !== DRAFT_2020_12 && declared !== `${DRAFT_2020_12}#`) return `declares "$schema" ${JSON.stringify(declared)}: config schemas are JSON Schema draft 2020-12 (${DRAFT_2020_12}); remove the line or use that one`;
  try {
    const { metaValidate } = compiled();
    return metaValidate.validateSchema(schema) ? undefined : `is not a valid JSON Schema: ${metaValidate.errorsText(metaValidate.errors)}`;
  } catch (err) {
    return `is not a valid JSON Schema: ${(err as Error).message}`;
  }
}

const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';
