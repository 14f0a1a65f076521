// JSON Schema (draft 2020-12) of the webhook sources config, mirroring
// source-config.ts. Tagged unions use if/then with `required` on the tag
// rather than oneOf: oneOf reports every failing branch, if/then reports only
// the branch the operator chose, so the error names the field they got wrong.

const HEADER_NAME = { type: 'string', pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", maxLength: 128 } as const;
const SECRETS = { type: 'array', minItems: 1, maxItems: 10, items: { type: 'string', minLength: 1 } } as const;
const TOLERANCE_SEC = { type: 'integer', minimum: 1, maximum: 86_400 } as const;
const JSON_PATH = { type: 'string', minLength: 1, maxLength: 256 } as const;
const PREFIX = { type: 'string', maxLength: 64 } as const;

/** One branch of a tagged union: applies only when `tag` equals `value`, and closes the object to its fields. */
function variant(tag: string, value: string, properties: Record<string, unknown>, required: string[]): Record<string, unknown> {
  return {
    if: { properties: { [tag]: { const: value } }, required: [tag] },
    then: { properties: { [tag]: true, ...properties }, required, additionalProperties: false },
  };
}

const SIGNATURE = {
  type: 'object',
  required: ['scheme'],
  properties: { scheme: { enum: ['standard-webhooks', 'github', 'stripe', 'hmac', 'none'] } },
  allOf: [
    variant('scheme', 'standard-webhooks', { secrets: SECRETS, toleranceSec: TOLERANCE_SEC }, ['secrets']),
    variant('scheme', 'github', { secrets: SECRETS }, ['secrets']),
    variant('scheme', 'stripe', { secrets: SECRETS, toleranceSec: TOLERANCE_SEC }, ['secrets']),
    variant(
      'scheme',
      'hmac',
      {
        secrets: SECRETS,
        header: HEADER_NAME,
        algorithm: { enum: ['sha1', 'sha256', 'sha512'] },
        encoding: { enum: ['hex', 'base64'] },
        prefix: PREFIX,
        timestampHeader: HEADER_NAME,
        toleranceSec: TOLERANCE_SEC,
        signedPayload: { type: 'string', minLength: 1, maxLength: 256 },
      },
      ['secrets', 'header'],
    ),
    variant('scheme', 'none', {}, []),
  ],
} as const;

const EVENT_TYPE = {
  type: 'object',
  required: ['from'],
  properties: { from: { enum: ['fixed', 'header', 'body'] } },
  allOf: [
    variant('from', 'fixed', { value: { type: 'string' } }, ['value']),
    variant('from', 'header', { header: HEADER_NAME, prefix: PREFIX }, ['header']),
    variant('from', 'body', { path: JSON_PATH, prefix: PREFIX }, ['path']),
  ],
} as const;

const DELIVERY_ID = {
  type: 'object',
  required: ['from'],
  properties: { from: { enum: ['header', 'body', 'none'] } },
  allOf: [
    variant('from', 'header', { header: HEADER_NAME }, ['header']),
    variant('from', 'body', { path: JSON_PATH }, ['path']),
    variant('from', 'none', {}, []),
  ],
} as const;

export const WEBHOOK_SOURCE_SCHEMA = {
  type: 'object',
  required: ['signature', 'type'],
  additionalProperties: false,
  properties: {
    signature: SIGNATURE,
    type: EVENT_TYPE,
    deliveryId: DELIVERY_ID,
    maxBodyBytes: { type: 'integer', minimum: 1, maximum: 64 * 1024 * 1024 },
    rateLimit: {
      type: 'object',
      required: ['perSecond', 'burst'],
      additionalProperties: false,
      properties: { perSecond: { type: 'number', exclusiveMinimum: 0 }, burst: { type: 'integer', minimum: 1 } },
    },
    replayWindowSec: { type: 'integer', minimum: 1, maximum: 30 * 86_400 },
  },
} as const;

/** The whole `webhooks` section: source name → source. Names are checked in code for a clearer message. */
export const WEBHOOK_SOURCES_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: WEBHOOK_SOURCE_SCHEMA,
} as const;
