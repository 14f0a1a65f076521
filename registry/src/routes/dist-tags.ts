// `npm dist-tag ls|add|rm`: GET /-/package/:pkg/dist-tags[/:tag], PUT and
// DELETE /-/package/:pkg/dist-tags/:tag (the PUT body is the version as a JSON string).
// Moving a tag decides what `npm install <pkg>` gets, so only maintainers (and registry admins) may (ownership.ts).
import { PlexusError } from '@plexus/plugin-sdk';
import type { FastifyInstance } from 'fastify';
import { requireWriter, writersOnly, type RegistryContext } from '../context.ts';
import { assertMayWrite, type Writer } from '../ownership.ts';
import { assertPackageName } from '../package-name.ts';
import { withDistTag, withoutDistTag, type Packument } from '../packument.ts';
import { loadPackument } from './packages.ts';

type Tag = { Params: { pkg: string; tag: string } };

export function registerDistTagRoutes(app: FastifyInstance, ctx: RegistryContext): void {
  app.get<{ Params: { pkg: string } }>('/-/package/:pkg/dist-tags', async (request) => {
    return (await loadPackument(ctx, assertPackageName(request.params.pkg)))['dist-tags'];
  });

  app.get<Tag>('/-/package/:pkg/dist-tags/:tag', async (request) => {
    const { pkg, tag } = request.params;
    const tags = (await loadPackument(ctx, assertPackageName(pkg)))['dist-tags'];
    if (!Object.hasOwn(tags, tag)) throw new PlexusError('PLEXUS_NOT_FOUND', `${pkg} has no dist-tag "${tag}"`);
    return { [tag]: tags[tag] };
  });

  app.put<Tag>('/-/package/:pkg/dist-tags/:tag', { onRequest: writersOnly(ctx) }, async (request) => {
    const { pkg, tag } = request.params;
    const version = request.body;
    if (typeof version !== 'string') throw new PlexusError('PLEXUS_INVALID_REQUEST', 'The body must be the version as a JSON string, e.g. "1.2.3"');
    return updateTags(ctx, assertPackageName(pkg), requireWriter(ctx, request), (doc) => withDistTag(doc, tag, version, ctx.now()));
  });

  app.delete<Tag>('/-/package/:pkg/dist-tags/:tag', { onRequest: writersOnly(ctx) }, async (request) => {
    const { pkg, tag } = request.params;
    return updateTags(ctx, assertPackageName(pkg), requireWriter(ctx, request), (doc) => withoutDistTag(doc, tag, ctx.now()));
  });
}

async function updateTags(ctx: RegistryContext, name: string, writer: Writer, change: (doc: Packument) => Packument): Promise<Record<string, string>> {
  return ctx.locks.run(name, async () => {
    const doc = await loadPackument(ctx, name);
    assertMayWrite(doc, writer);
    const next = change(doc);
    await ctx.store.writePackument(next);
    return next['dist-tags'];
  });
}
