// Validates a config document (env references already resolved) against the
// schema and words each problem as "<path> <what is wrong>", the way an
// operator fixes it: "delivery.batchSize must be >= 1".
import { createAjv, describeAjvErrors, type FieldProblem } from '@plexus/plugin-sdk/runtime';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { CONFIG_FORMATS, CONFIG_SCHEMA, STORE_KINDS } from './config-schema.ts';
import { DURATION_EXPECTATION, isDuration } from './duration.ts';
import { LISTEN_EXPECTATION, isListenAddress } from './listen-address.ts';

const FORMAT_EXPECTATIONS: Readonly<Record<string, string>> = {
  [CONFIG_FORMATS.duration]: DURATION_EXPECTATION,
  [CONFIG_FORMATS.listen]: LISTEN_EXPECTATION,
};

/** Compiled per call site, not at module load: a validator keeps its last errors, so it is not shared. */
export function compileConfigValidator(): { validate(document: unknown): FieldProblem[] } {
  // coerceTypes: a value that came from an env reference is a string; "8" must still be an integer.
  const ajv = createAjv({ discriminator: true, coerceTypes: true });
  ajv.addFormat(CONFIG_FORMATS.duration, { type: 'string', validate: isDuration });
  ajv.addFormat(CONFIG_FORMATS.listen, { type: 'string', validate: isListenAddress });
  const check = ajv.compile(CONFIG_SCHEMA);
  return {
    validate(document) {
      if (check(document)) return [];
      // ajv reports a bad property name twice (the inner pattern, then propertyNames); the inner one names it.
      return describeAjvErrors(check.errors?.filter((e) => e.keyword !== 'propertyNames').map(reworded), '');
    },
  };
}

function reworded(error: ErrorObject): ErrorObject {
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
