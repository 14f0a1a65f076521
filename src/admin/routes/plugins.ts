// Plugin routes (CONTRACT §7). GET /v1/plugins: what runs (name, version,
// subscriptions, effective capabilities, limits, delivery settings), what
// failed to load and why, and every installed plugin as plugins.json records
// it. POST installs, upgrades or downgrades; PATCH enables, disables, grants
// and configures; DELETE uninstalls; all take effect without a restart. A
// scoped name is one path segment, URL-encoded (`%40acme%2Fenricher`), or two.
import type { FastifyInstance } from 'fastify';
import { PlexusError, toErrorData, type JsonObject } from '@plexus/plugin-sdk';
import type { PluginInfo } from '../../plugins/plugin-manager.ts';
import { pluginView } from '../../plugins/plugin-view.ts';
import type { AdminContext } from '../admin-context.ts';
import type { AdminHost } from '../admin-host.ts';
import { errorResponses } from '../admin-schemas.ts';

const strings = { type: 'array', items: { type: 'string' } } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;

const pluginSchema = {
  type: 'object',
  required: ['name', 'version', 'subscribe', 'capabilities', 'limits'],
  properties: {
    name: { type: 'string' },
    version: { type: 'string' },
    subscribe: strings,
    capabilities: {
      type: 'object',
      properties: {
        kv: { type: 'boolean' },
        emit: { type: ['object', 'null'], properties: { requested: strings, granted: strings } },
        http: strings,
        secrets: strings,
      },
    },
    limits: anyObject,
    concurrency: { type: 'integer' },
    retry: { type: 'object', additionalProperties: { type: 'number' } },
    rateLimit: { type: 'object', additionalProperties: { type: 'number' } },
  },
} as const;

const errorSchema = { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } as const;
const failedSchema = { type: 'object', required: ['name', 'error'], properties: { name: { type: 'string' }, error: errorSchema } } as const;

const installedSchema = {
  description: 'An installed plugin as plugins.json records it; `change` says what a request did',
  type: 'object',
  required: ['name', 'version', 'status', 'enabled', 'grants', 'config', 'missingGrants', 'root'],
  properties: {
    name: { type: 'string' },
    version: { type: 'string' },
    status: { type: 'string' },
    enabled: { type: 'boolean' },
    grants: strings,
    config: anyObject,
    missingGrants: strings,
    root: { type: 'string' },
    integrity: { type: 'string' },
    source: { type: 'string' },
    pending: { type: 'object', properties: { version: { type: 'string' }, missingGrants: strings, source: { type: 'string' } } },
    error: errorSchema,
    change: { type: 'string' },
  },
} as const;

const grantList = {
  type: 'array',
  items: { type: 'string', minLength: 1 },
  maxItems: 256,
  description: 'Capabilities granted: kv, emit:<pattern>, http:<host[:port]>, secrets:<NAME>',
} as const;
const configObject = { ...anyObject, description: "The plugin's config (checked against its config schema)" } as const;
const installBody = {
  type: 'object',
  additionalProperties: false,
  required: ['spec'],
  properties: {
    spec: { type: 'string', minLength: 1, maxLength: 4096, description: 'name[@range|@tag], or an absolute folder or .tgz path on the host' },
    grants: grantList,
    config: configObject,
    registry: { type: 'string', pattern: '^https?://', description: 'npm-compatible registry (default: https://registry.npmjs.org/)' },
  },
} as const;
const patchBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    enabled: { type: 'boolean' },
    grants: grantList,
    grant: { ...grantList, description: 'Grants to add to those the plugin has when the change runs' },
    revoke: { ...grantList, description: 'Grants to remove from those the plugin has when the change runs' },
    config: configObject,
  },
} as const;

type Params = { name?: string; scope?: string; bare?: string };

// No further constraints: an unknown or malformed name is the manager's 404, as before.
const PLUGIN_PATHS = [
  {
    path: '/v1/plugins/:name',
    params: { type: 'object', required: ['name'], properties: { name: { type: 'string', description: 'The plugin name; a scoped name URL-encoded (%40acme%2Fenricher)' } } },
  },
  {
    path: '/v1/plugins/:scope/:bare',
    params: {
      type: 'object',
      required: ['scope', 'bare'],
      properties: { scope: { type: 'string', description: 'The scope of a scoped name, with its @' }, bare: { type: 'string', description: 'The name within the scope' } },
    },
  },
] as const;
const TAGS = ['plugins'];
const uninstalledSchema = {
  description: 'Uninstalled: the plugin stopped and its files are gone',
  type: 'object',
  required: ['name', 'version', 'uninstalled'],
  properties: { name: { type: 'string' }, version: { type: 'string' }, uninstalled: { type: 'boolean' } },
} as const;

export function registerPluginRoutes(app: FastifyInstance, { host }: AdminContext): void {
  const view = (info: PluginInfo) => pluginView(info, host.plugins, host.failedPlugins);

  app.get('/v1/plugins', {
    schema: {
      summary: 'What runs, what failed to load, and what is installed',
      tags: TAGS,
      response: {
        200: { description: 'Active plugins, load failures and every installed plugin', type: 'object', required: ['plugins', 'failed'], properties: { plugins: { type: 'array', items: pluginSchema }, failed: { type: 'array', items: failedSchema }, installed: { type: 'array', items: installedSchema } } },
        ...errorResponses,
      },
    },
  }, async () => ({
    plugins: host.plugins.map((p) => ({
      name: p.name,
      version: p.spec.version,
      subscribe: p.subscribe,
      // Names of granted secrets only; their values stay in the spec.
      capabilities: p.spec.capabilities,
      limits: p.spec.limits,
      concurrency: p.concurrency,
      retry: p.retry,
      ...(p.rateLimit ? { rateLimit: p.rateLimit } : {}),
    })),
    failed: host.failedPlugins.map((f) => {
      const data = toErrorData(f.error, 'PLEXUS_PLUGIN_LOAD_FAILED');
      return { name: f.name, error: { code: data.code ?? 'PLEXUS_PLUGIN_LOAD_FAILED', message: data.message } };
    }),
    // plugins.json as the operator reads it; absent where nothing manages plugins (test fakes).
    ...(host.pluginManager ? { installed: (await host.pluginManager.list()).map(view) } : {}),
  }));

  app.post<{ Body: { spec: string; grants?: string[]; config?: JsonObject; registry?: string } }>('/v1/plugins', {
    schema: {
      summary: 'Install, upgrade or downgrade a plugin (registry name[@range], folder or .tgz)',
      tags: TAGS,
      body: installBody,
      response: {
        200: { ...installedSchema, description: 'Another version of an installed plugin now serves' },
        201: { ...installedSchema, description: 'A new plugin, installed' },
        202: { ...installedSchema, description: 'Recorded but not active: the version waits for grants (pending)' },
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    const result = await manager(host).install(request.body);
    // 202: recorded but not active (waits for grants); 201: a new plugin; 200: another version of one.
    const status = result.change === 'pending' ? 202 : result.change === 'installed' ? 201 : 200;
    return reply.status(status).send({ ...view(result), change: result.change });
  });

  for (const { path, params } of PLUGIN_PATHS) {
    app.get<{ Params: Params }>(path, {
      schema: { summary: 'One installed plugin', tags: TAGS, params, response: { 200: installedSchema, ...errorResponses } },
    }, async (request) => view(await manager(host).get(pluginName(request.params))));

    app.patch<{ Params: Params; Body: { enabled?: boolean; grants?: string[]; grant?: string[]; revoke?: string[]; config?: JsonObject } }>(path, {
      schema: { summary: 'Enable, disable, grant or configure a plugin', tags: TAGS, params, body: patchBody, response: { 200: installedSchema, ...errorResponses } },
    }, async (request) => {
      const result = await manager(host).update(pluginName(request.params), request.body);
      return { ...view(result), change: result.change };
    });

    app.delete<{ Params: Params }>(path, {
      schema: { summary: 'Uninstall a plugin', tags: TAGS, params, response: { 200: uninstalledSchema, ...errorResponses } },
    }, async (request) => {
      const removed = await manager(host).uninstall(pluginName(request.params));
      return { name: removed.name, version: removed.version, uninstalled: true };
    });
  }
}

function manager(host: AdminHost): NonNullable<AdminHost['pluginManager']> {
  if (!host.pluginManager) throw new PlexusError('PLEXUS_UNAVAILABLE', 'this host does not manage plugins');
  return host.pluginManager;
}

/** `:name` (a scoped name URL-encoded) or `@scope/:bare` as two segments. */
function pluginName(params: Params): string {
  if (params.name !== undefined) return params.name;
  if (params.scope?.startsWith('@') !== true) throw new PlexusError('PLEXUS_NOT_FOUND', `No plugin route for ${params.scope}/${params.bare}: only a scoped name (@scope/name) has two segments`);
  return `${params.scope}/${params.bare}`;
}
