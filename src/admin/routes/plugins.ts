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

const grantList = { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 256 } as const;
const installBody = {
  type: 'object',
  additionalProperties: false,
  required: ['spec'],
  properties: { spec: { type: 'string', minLength: 1, maxLength: 4096 }, grants: grantList, config: anyObject, registry: { type: 'string', pattern: '^https?://' } },
} as const;
const patchBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { enabled: { type: 'boolean' }, grants: grantList, config: anyObject },
} as const;

type Params = { name?: string; scope?: string; bare?: string };

export function registerPluginRoutes(app: FastifyInstance, { host }: AdminContext): void {
  const view = (info: PluginInfo) => pluginView(info, host.plugins, host.failedPlugins);

  app.get('/v1/plugins', {
    schema: {
      response: {
        200: { type: 'object', required: ['plugins', 'failed'], properties: { plugins: { type: 'array', items: pluginSchema }, failed: { type: 'array', items: failedSchema }, installed: { type: 'array', items: installedSchema } } },
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
    schema: { body: installBody, response: { 200: installedSchema, 201: installedSchema, 202: installedSchema, ...errorResponses } },
  }, async (request, reply) => {
    const result = await manager(host).install(request.body);
    // 202: recorded but not active (waits for grants); 201: a new plugin; 200: another version of one.
    const status = result.change === 'pending' ? 202 : result.change === 'installed' ? 201 : 200;
    return reply.status(status).send({ ...view(result), change: result.change });
  });

  for (const path of ['/v1/plugins/:name', '/v1/plugins/:scope/:bare']) {
    app.get<{ Params: Params }>(path, { schema: { response: { 200: installedSchema, ...errorResponses } } }, async (request) => view(await manager(host).get(pluginName(request.params))));

    app.patch<{ Params: Params; Body: { enabled?: boolean; grants?: string[]; config?: JsonObject } }>(path, {
      schema: { body: patchBody, response: { 200: installedSchema, ...errorResponses } },
    }, async (request) => {
      const result = await manager(host).update(pluginName(request.params), request.body);
      return { ...view(result), change: result.change };
    });

    app.delete<{ Params: Params }>(path, {
      schema: { response: { 200: { type: 'object', required: ['name', 'version', 'uninstalled'], properties: { name: { type: 'string' }, version: { type: 'string' }, uninstalled: { type: 'boolean' } } }, ...errorResponses } },
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
