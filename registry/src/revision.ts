// A packument's revision (CouchDB's `_rev`): npm reads it from the full
// document and sends it back in the one write that is a read-modify-write of
// the whole list, `npm owner add|rm` (PUT /<pkg>/-rev/<rev> with all the
// maintainers). Comparing it refuses a change made from a stale read, which
// would otherwise drop a maintainer another owner change just added.
// Derived from the stored document rather than stored in it, so packuments
// written before revisions existed have one too.
import { createHash } from 'node:crypto';
import type { Packument } from './packument.ts';

export function revisionOf(doc: Packument): string {
  return createHash('sha256').update(JSON.stringify(doc)).digest('hex').slice(0, 32);
}
