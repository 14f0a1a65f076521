// GET /v1/plugins: what runs (name, version, subscriptions, effective
// capabilities, limits, delivery settings) and what failed to load, with why.
import type { FastifyInstance } from 'fastify';
import { toErrorData } from '@plexus/plugin-sdk';
import type { AdminContext } from '../admin-context.ts';
import { errorResponses } from '../admin-schemas.ts';

const strings = { type: 'array', items: { type: 'string' } } as const;

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
    limits: { type: 'object', additionalProperties: true },
    concurrency: { type: 'integer' },
    retry: { type: 'object', additionalProperties: { type: 'number' } },
    rateLimit: { type: 'object', additionalProperties: { type: 'number' } },
  },
} as const;

const failedSchema = {
  type: 'object',
  required: ['name', 'error'],
  properties: { name: { type: 'string' }, error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
} as const;

export function registerPluginRoutes(app: FastifyInstance, { host }: AdminContext): void {
  app.get('/v1/plugins', {
    schema: {
      response: {
        200: { type: 'object', required: ['plugins', 'failed'], properties: { plugins: { type: 'array', items: pluginSchema }, failed: { type: 'array', items: failedSchema } } },
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
  }));
}
