// Validates a config document (env references already resolved) against the
// schema and words each problem as "<path> <what is wrong>", the way an
// operator fixes it: "delivery.batchSize must be >= 1".
import { createAjv, describeAjvErrors, jsonPointerToPath, type FieldProblem } from '@plexus/plugin-sdk/runtime';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { CONFIG_FORMATS, CONFIG_SCHEMA, STORE_KINDS } from './config-schema.ts';
import { DURATION_EXPECTATION, isDuration, parseDuration } from './duration.ts';
import { LISTEN_EXPECTATION, isListenAddress } from './listen-address.ts';
import { MAX_TIMER_MS, TIMER_KEYWORD } from './schema-parts.ts';
import { urlSettingProblems } from './url-settings.ts';

const FORMAT_EXPECTATIONS: Readonly<Record<string, string>> = {
  [CONFIG_FORMATS.duration]: DURATION_EXPECTATION,
  [CONFIG_FORMATS.listen]: LISTEN_EXPECTATION,
};

/** Compiled per call site, not at module load: a validator keeps its last errors, so it is not shared. */
export function compileConfigValidator(): { validate(document: unknown): FieldProblem[] } {
  // coerceTypes: a value that came from an env reference is a string; "8" must still be an integer.
  // ajv also coerces the other way (null to 0, 12345 to "12345", true to 1): coercedAway refuses those.
  const ajv = createAjv({ discriminator: true, coerceTypes: true });
  ajv.addFormat(CONFIG_FORMATS.duration, { type: 'string', validate: isDuration });
  ajv.addFormat(CONFIG_FORMATS.listen, { type: 'string', validate: isListenAddress });
  ajv.addKeyword({ keyword: TIMER_KEYWORD, type: 'string', schemaType: 'boolean', validate: (_: boolean, text: string) => (parseDuration(text) ?? 0) <= MAX_TIMER_MS });
  const check = ajv.compile(CONFIG_SCHEMA);
  return {
    validate(document) {
      const before = structuredClone(document);
      const valid = check(document);
      const coerced = coercedAway(before, document, '');
      // ajv reports a bad property name twice (the inner pattern, then propertyNames); the inner one names it.
      const described = valid ? [] : describeAjvErrors(check.errors?.filter((e) => e.keyword !== 'propertyNames').map(reworded), '');
      // A URL's own check says more than the schema's "must match pattern" for the same setting.
      const urls = urlSettingProblems(document);
      const problems = [...described.filter((p) => !urls.some((u) => u.path === p.path)), ...urls];
      // One problem per path. Where a number read as text also failed (listen: 8080 is not host:port),
      // the schema's words say more; an empty value or a boolean read as 0 or 1 failing `minimum`, less.
      const schemaFirst = (path: string) => coerced.some((c) => c.path === path && c.textFromNumber);
      return [
        ...problems.filter((p) => schemaFirst(p.path) || !coerced.some((c) => c.path === p.path)),
        ...coerced.filter((c) => !(c.textFromNumber && problems.some((p) => p.path === c.path))).map(({ path, message }) => ({ path, message })),
      ];
    },
  };
}

/**
 * Values ajv changed the type of other than a string read as a number or a
 * boolean: an empty YAML value (null) would become 0 or "" and silently turn
 * a setting off; a number where text is wanted (a token, a secret) has
 * already lost its leading zeros or digits to YAML; true would become 1.
 */
function coercedAway(before: unknown, after: unknown, pointer: string): (FieldProblem & { textFromNumber: boolean })[] {
  if (typeof before === 'object' && before !== null && typeof after === 'object' && after !== null) {
    return Object.entries(before).flatMap(([key, value]) => coercedAway(value, (after as Record<string, unknown>)[key], `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`));
  }
  if (typeof before === typeof after || typeof before === 'string') return [];
  const path = jsonPointerToPath(pointer, '');
  if (before === null) return [{ path, message: 'is empty: give it a value, or remove the key for its default', textFromNumber: false }];
  // Never the value itself: it may be a secret.
  if (typeof after === 'string') return [{ path, message: `must be text: write it in quotes (unquoted, it is read as a ${typeof before})`, textFromNumber: true }];
  return [{ path, message: `must be a ${typeof after}, not a ${typeof before}`, textFromNumber: false }];
}

function reworded(error: ErrorObject): ErrorObject {
  if (error.keyword === TIMER_KEYWORD || (error.keyword === 'maximum' && error.params.limit === MAX_TIMER_MS)) {
    return { ...error, message: `must be at most ${MAX_TIMER_MS} ms (about 24.8 days): it is waited for with a timer, and Node's timers wait no longer` };
  }
  if (error.keyword === 'format') {
    const expectation = FORMAT_EXPECTATIONS[String(error.params.format)];
    return expectation === undefined ? error : { ...error, message: expectation };
  }
  // ajv says `value of tag "kind" must be in oneOf`; name the field and the choices instead.
  if (error.keyword === 'discriminator') {
    const tag = String(error.params.tag);
    return { ...error, instancePath: `${error.instancePath}/${tag}`, message: `must be one of ${JSON.stringify(STORE_KINDS)}` };
  }
  if (error.keyword === 'pattern' && error.instancePath === '/adminToken') {
    return { ...error, message: 'must be visible ASCII characters without spaces (it is sent in an HTTP header)' };
  }
  if (error.propertyName !== undefined) {
    const pointer = `${error.instancePath}/${error.propertyName.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    return { ...error, instancePath: pointer, message: 'is not a valid name (letters, digits and _, not starting with a digit)' };
  }
  return error;
}
