// JSON Schema (draft 2020-12) of the `plexus` object in a plugin's package.json
// (CONTRACT §2). Published so editors, the registry and the host agree.

export const MANIFEST_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://plexus.dev/schemas/plugin-manifest-1.json',
  title: 'Plexus plugin manifest (package.json "plexus")',
  type: 'object',
  required: ['apiVersion', 'main', 'subscribe'],
  additionalProperties: false,
  properties: {
    apiVersion: { type: 'string', minLength: 1, description: 'semver range of host API versions the plugin works with' },
    main: { type: 'string', minLength: 1, description: 'ES module inside the package' },
    subscribe: { type: 'array', minItems: 1, maxItems: 64, items: { type: 'string', minLength: 1 } },
    config: {
      description: 'JSON Schema of the plugin configuration, or a path to a .json file in the package',
      anyOf: [{ type: 'object' }, { type: 'string', pattern: '\\.json$' }],
    },
    capabilities: {
      type: 'object',
      additionalProperties: false,
      properties: {
        kv: { type: 'boolean' },
        emit: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 64 },
        http: {
          type: 'object',
          additionalProperties: false,
          required: ['hosts'],
          properties: { hosts: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 64 } },
        },
        secrets: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }, maxItems: 64 },
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        memoryMb: { type: 'integer', minimum: 8, maximum: 4096 },
        timeoutMs: { type: 'integer', minimum: 1, maximum: 600000 },
      },
    },
  },
} as const;

/** The package.json fields around the manifest that the host relies on. */
export const PACKAGE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['name', 'version', 'plexus'],
  properties: {
    name: { type: 'string', pattern: '^(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$', maxLength: 214 },
    version: { type: 'string', minLength: 1 },
    keywords: { type: 'array', items: { type: 'string' } },
    plexus: { type: 'object' },
  },
} as const;
