// npm-protocol package routes: packuments (full or abbreviated), single
// versions, tarball downloads, publish (`PUT /:pkg`) and owner changes
// (`PUT /:pkg/-rev/:rev`). Scoped names arrive escaped or not, so paths are
// parsed by parseNpmPath rather than the router.
import { PlexusError } from '@plexus/plugin-sdk';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { baseUrlOf, requireWriter, writersOnly, type RegistryContext } from '../context.ts';
import { noRouteError } from '../errors.ts';
import { parseNpmPath, parseRevisionPath, versionFromTarballFile } from '../npm-path.ts';
import { changeOwners, parseOwnerChange } from '../owner-change.ts';
import { unscopedName } from '../package-name.ts';
import { ABBREVIATED_MEDIA_TYPE, abbreviatedDocument, fullDocument, servedVersion, wantsAbbreviated } from '../packument-view.ts';
import { resolveSpec, type Packument } from '../packument.ts';
import { publishVersion } from '../publish.ts';
import { parsePublishBody } from '../publish-request.ts';

type Wildcard = { Params: { '*': string } };

/** Room for the base64 tarball (4/3 of its size) plus the JSON metadata around it. */
const METADATA_ALLOWANCE_BYTES = 1024 * 1024;

/**
 * `npm unpublish` sends PUT (a version) or DELETE (the package) to
 * /<name>/-rev/<rev>, and takes a 404 for "already gone": it would report
 * success while everything stays. Published versions are immutable here, so
 * the refusal says so.
 */
function refuseUnpublish(path: string): void {
  // The advice names only what this registry accepts (it refuses `npm deprecate` too).
  if (/\/-rev\//.test(path)) {
    throw new PlexusError('PLEXUS_INVALID_REQUEST', 'Unpublishing is not supported: published versions are immutable. Publish a new version, or point a dist-tag at another one (npm dist-tag add <pkg>@<version> latest).');
  }
}

export function registerPackageRoutes(app: FastifyInstance, ctx: RegistryContext): void {
  app.get<Wildcard>('/*', async (request, reply) => {
    const target = parseNpmPath(request.params['*']);
    if (target.kind === 'unknown') throw noRouteError(request);
    const doc = await loadPackument(ctx, target.name);
    if (target.kind === 'tarball') return sendTarball(ctx, reply, doc, target.file);
    // Packuments change on every publish; clients must revalidate instead of serving a cached copy.
    reply.header('cache-control', 'no-cache');
    const baseUrl = baseUrlOf(ctx, request);
    if (target.kind === 'version') {
      const manifest = resolveSpec(doc, target.spec);
      if (manifest === undefined) throw new PlexusError('PLEXUS_NOT_FOUND', `${doc.name} has no version or dist-tag "${target.spec}"`);
      return servedVersion(manifest, baseUrl);
    }
    if (!wantsAbbreviated(request.headers.accept)) return fullDocument(doc, baseUrl);
    reply.type(`${ABBREVIATED_MEDIA_TYPE}; charset=utf-8`);
    return abbreviatedDocument(doc, baseUrl);
  });

  app.put<Wildcard>('/*', { onRequest: writersOnly(ctx), bodyLimit: Math.ceil((ctx.maxTarballBytes * 4) / 3) + METADATA_ALLOWANCE_BYTES }, async (request, reply) => {
    // The onRequest hook already refused bad tokens (before the body was read); this only names the writer.
    const publisher = requireWriter(ctx, request);
    const revision = parseRevisionPath(request.params['*']);
    const ownerChange = revision === undefined ? undefined : parseOwnerChange(revision.name, revision.rev, request.body);
    if (ownerChange !== undefined) {
      const result = await changeOwners(ctx, ownerChange, publisher);
      request.log.info({ package: ownerChange.name, maintainers: ownerChange.maintainers, by: publisher.name, admin: publisher.admin }, 'owners changed');
      return result;
    }
    refuseUnpublish(request.params['*']);
    const target = parseNpmPath(request.params['*']);
    if (target.kind !== 'packument') throw noRouteError(request);
    const publish = parsePublishBody(target.name, request.body, ctx.maxTarballBytes);
    const manifest = await publishVersion(ctx, publish, publisher);
    request.log.info({ package: manifest._id, publisher: publisher.name, admin: publisher.admin }, 'published');
    return reply.status(201).send({ ok: true, id: manifest._id });
  });

  app.delete<Wildcard>('/*', { onRequest: writersOnly(ctx) }, async (request) => {
    refuseUnpublish(request.params['*']);
    throw noRouteError(request);
  });
}

export async function loadPackument(ctx: RegistryContext, name: string): Promise<Packument> {
  const doc = await ctx.store.readPackument(name);
  if (doc === undefined) throw new PlexusError('PLEXUS_NOT_FOUND', `Package ${name} is not in this registry`);
  return doc;
}

async function sendTarball(ctx: RegistryContext, reply: FastifyReply, doc: Packument, file: string): Promise<FastifyReply> {
  const version = versionFromTarballFile(unscopedName(doc.name), file);
  // Only tarballs of listed versions are served: a file left by a publish that failed midway stays invisible.
  const opened = version !== undefined && Object.hasOwn(doc.versions, version) ? await ctx.store.openTarball(doc.name, file) : undefined;
  if (opened === undefined) throw new PlexusError('PLEXUS_NOT_FOUND', `${doc.name} has no tarball ${file}`);
  return reply
    .type('application/octet-stream')
    .header('content-length', opened.size)
    // A published version never changes, so its tarball may be cached forever.
    .header('cache-control', 'public, max-age=31536000, immutable')
    .send(opened.stream);
}
