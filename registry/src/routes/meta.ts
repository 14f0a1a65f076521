// `npm ping`, `npm whoami`, `npm search`, the user lookup of `npm owner`, and the Plexus catalog.
import type { FastifyInstance } from 'fastify';
import { buildCatalog, type Catalog } from '../catalog.ts';
import { isWriter, requireWriter, type RegistryContext } from '../context.ts';
import { PLEXUS_API_PREFIX } from '../errors.ts';
import { isMaintainer, unknownUser } from '../ownership.ts';
import { parseSearchQuery, searchPackuments, type SearchResponse } from '../search.ts';

export function registerMetaRoutes(app: FastifyInstance, ctx: RegistryContext): void {
  app.get('/-/ping', async () => ({}));

  // npm only calls whoami with a token configured, and the answer is "who does this token act as".
  app.get('/-/whoami', async (request) => ({ username: requireWriter(ctx, request).name }));

  // `npm owner add|rm` looks the user up first. Users are the identities of the configured tokens,
  // and those still listed as a maintainer somewhere: else `npm owner rm` of one whose token was
  // removed would stop at this lookup, and nobody could take it off the package. Only a writer's
  // lookup (npm sends its token) looks for those, as it reads every packument: anyone else's
  // made-up names would each cost the registry a stat of every packument (a read of each one changed).
  app.get<{ Params: { user: string } }>('/-/user/:user', async (request) => {
    const name = request.params.user.replace(/^org\.couchdb\.user:/, '');
    if (!ctx.auth.isIdentity(name) && !(isWriter(ctx, request) && (await ctx.store.readAll()).some((doc) => isMaintainer(doc, name)))) throw unknownUser(name);
    return { _id: `org.couchdb.user:${name}`, name, email: '' };
  });

  app.get<{ Querystring: Record<string, unknown> }>('/-/v1/search', async (request): Promise<SearchResponse> => {
    const query = parseSearchQuery(request.query);
    return searchPackuments(await ctx.store.readAll(), query, ctx.now());
  });

  app.get(`${PLEXUS_API_PREFIX}catalog`, async (): Promise<Catalog> => buildCatalog(await ctx.store.readAll()));
}
