// `npm owner add|rm <user> <pkg>`: npm reads the full packument, then sends
// PUT /<pkg>/-rev/<_rev> with `{_id, _rev, maintainers}` holding the whole new
// list. The change runs under the package's lock like a publish, and only if
// the document is still at the revision npm read (else 409, run it again).
import { PlexusError } from '@plexus/plugin-sdk';
import type { RegistryContext } from './context.ts';
import { nextMaintainers, type Writer } from './ownership.ts';
import { withMaintainers } from './packument.ts';
import { revisionOf } from './revision.ts';

export interface OwnerChange {
  name: string;
  rev: string;
  maintainers: string[];
}

const OWNER_CHANGE_FIELDS = new Set(['_id', '_rev', 'maintainers']);

/**
 * The owner change a -rev PUT body asks for, or undefined when the body is not
 * one (npm unpublish sends the whole document to the same path).
 */
export function parseOwnerChange(name: string, rev: string, body: unknown): OwnerChange | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const fields = body as Record<string, unknown>;
  if (!Object.hasOwn(fields, 'maintainers') || Object.keys(fields).some((key) => !OWNER_CHANGE_FIELDS.has(key))) return undefined;
  if (fields._id !== undefined && fields._id !== name) invalid(`The body names package "${String(fields._id)}" but the URL names "${name}"`);
  if (fields._rev !== undefined && fields._rev !== rev) invalid(`The body's _rev "${String(fields._rev)}" differs from the URL's "${rev}"`);
  if (!Array.isArray(fields.maintainers)) invalid('"maintainers" must be a list of {"name": "<user>"}');
  const maintainers = fields.maintainers.map((entry: unknown) => {
    const entryName = (entry as { name?: unknown } | null)?.name;
    if (typeof entryName !== 'string' || entryName === '') invalid('Each entry of "maintainers" must be {"name": "<user>"}');
    return entryName;
  });
  return { name, rev, maintainers };
}

/** Applies the change for `writer`; answers what CouchDB (and so the npm registry) answers. */
export async function changeOwners(ctx: RegistryContext, change: OwnerChange, writer: Writer): Promise<{ ok: true; id: string; rev: string }> {
  return ctx.locks.run(change.name, async () => {
    const doc = await ctx.store.readPackument(change.name);
    if (doc === undefined) throw new PlexusError('PLEXUS_NOT_FOUND', `Package ${change.name} is not in this registry`);
    // Forbidden before stale: a non-maintainer learns nothing from the revision check. Admins may change any package's.
    const maintainers = nextMaintainers(doc, change.maintainers, writer, (name) => ctx.auth.isIdentity(name));
    if (revisionOf(doc) !== change.rev) {
      throw new PlexusError('PLEXUS_CONFLICT', `${change.name} changed since revision ${change.rev} was read; run the command again`);
    }
    const next = withMaintainers(doc, maintainers, ctx.now());
    await ctx.store.writePackument(next);
    return { ok: true, id: change.name, rev: revisionOf(next) };
  });
}

function invalid(message: string): never {
  throw new PlexusError('PLEXUS_INVALID_REQUEST', message);
}
