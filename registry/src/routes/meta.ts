// `npm ping`, `npm whoami`, `npm search` and the Plexus catalog.
import type { FastifyInstance } from 'fastify';
import { buildCatalog, type Catalog } from '../catalog.ts';
import { requireWriter, type RegistryContext } from '../context.ts';
import { PLEXUS_API_PREFIX } from '../errors.ts';
import { parseSearchQuery, searchPackuments, type SearchResponse } from '../search.ts';

export function registerMetaRoutes(app: FastifyInstance, ctx: RegistryContext): void {
  app.get('/-/ping', async () => ({}));

  // npm only calls whoami with a token configured, and the answer is "who does this token act as".
  app.get('/-/whoami', async (request) => ({ username: requireWriter(ctx, request) }));

  app.get<{ Querystring: Record<string, unknown> }>('/-/v1/search', async (request): Promise<SearchResponse> => {
    const query = parseSearchQuery(request.query);
    return searchPackuments(await ctx.store.readAll(), query, ctx.now());
  });

  app.get(`${PLEXUS_API_PREFIX}catalog`, async (): Promise<Catalog> => buildCatalog(await ctx.store.readAll()));
}
