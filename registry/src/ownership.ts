// Who may write a package: its maintainers, as npm has it. The first publish
// of a package makes its publisher the sole maintainer; after that only a
// maintainer may publish versions, move dist-tags or change the maintainers
// (`npm owner add|rm`). Without this, any write token could publish over
// another author's package. Maintainers are token identities (auth.ts
// identityOf), so a "user" is what `npm whoami` prints for a token. A registry
// admin (PLEXUS_REGISTRY_ADMIN_TOKENS) may write any package as a maintainer
// may, without being listed: when every maintainer's token is gone, nobody
// else could ever hand the package on.
import { PlexusError } from '@plexus/plugin-sdk';

/** `email` is always empty (tokens carry no address) but present: npm prints a missing one as "<undefined>". */
export interface Maintainer {
  name: string;
  email: string;
}

/** The part of a packument ownership reads; structural, so this file needs nothing from packument.ts. */
export interface Owned {
  name: string;
  maintainers: readonly Maintainer[];
}

/** Who is writing: an authenticated token identity, and whether it is a registry admin's. */
export interface Writer {
  name: string;
  admin: boolean;
}

export function maintainer(name: string): Maintainer {
  return { name, email: '' };
}

export function isMaintainer(doc: Owned, identity: string): boolean {
  return doc.maintainers.some((m) => m.name === identity);
}

/** PLEXUS_FORBIDDEN (403) unless `writer` maintains the package or is an admin; the message is what `npm` shows the author. */
export function assertMayWrite(doc: Owned, writer: Writer): void {
  if (writer.admin || isMaintainer(doc, writer.name)) return;
  const { name } = writer;
  const names = doc.maintainers.map((m) => m.name).join(', ') || 'none';
  throw new PlexusError(
    'PLEXUS_FORBIDDEN',
    `${name} is not a maintainer of ${doc.name} (maintainers: ${names}); a maintainer can add you with: npm owner add ${name} ${doc.name} ` +
      "(so can a registry admin, if no maintainer's token is left)",
  );
}

/**
 * The maintainers after an owner change by `writer` (who must be one, or an
 * admin), as the full list npm sends. Names added must be identities of
 * configured tokens (`isUser`); names already there stay valid even if their
 * token was removed from the configuration, so such a maintainer can still be
 * removed. An empty list is refused, from admins too: nobody could write the
 * package again but an admin.
 */
export function nextMaintainers(doc: Owned, requested: readonly string[], writer: Writer, isUser: (name: string) => boolean): Maintainer[] {
  assertMayWrite(doc, writer);
  const names = [...new Set(requested)];
  if (names.length === 0) {
    throw new PlexusError('PLEXUS_INVALID_REQUEST', `${doc.name} cannot be left without a maintainer; add another one before removing the last`);
  }
  for (const name of names) {
    if (!isMaintainer(doc, name) && !isUser(name)) throw unknownUser(name);
  }
  return names.map(maintainer);
}

export function unknownUser(name: string): PlexusError {
  return new PlexusError(
    'PLEXUS_NOT_FOUND',
    `No user ${name} on this registry: users are the identities of its write tokens (\`npm whoami\` with a token prints its identity)`,
  );
}
