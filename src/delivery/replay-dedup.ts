// Dedup within a journal replay. A replay is not blocked by the claims its
// events made when they were first accepted (the operator asked for them
// again: Store.redeliver skips dedup). But the journal holds every copy a
// sender sent under one idempotencykey, the copies dedup suppressed too, so
// replaying them all delivered the key once per copy. A replay delivers it
// the way the first acceptance did (CONTRACT §5): once per plugin while its
// first copy's window lasts, judged by the copies' acceptedAt.
import type { PlexusEvent } from '@plexus/plugin-sdk';

/** Claims made so far in one replay: JSON [key, plugin] → until when (acceptedAt ms) later copies are duplicates. Shared across a replay's pages. */
export type ReplayClaims = Map<string, number>;

/**
 * The deliveries of a replayed event that are not duplicates of a copy
 * replayed before it, recording the claims of those kept. `acceptedAt`
 * absent: the copy counts as accepted at the same time as earlier ones.
 */
export function replayDeliveries<D extends { plugin: string }>(claims: ReplayClaims, event: Pick<PlexusEvent, 'idempotencykey'>, acceptedAt: number | undefined, deliveries: readonly D[], windowMs: number): D[] {
  const key = event.idempotencykey;
  if (typeof key !== 'string' || windowMs <= 0) return [...deliveries];
  const at = acceptedAt ?? -Infinity;
  return deliveries.filter(({ plugin }) => {
    // JSON keeps (key, plugin) pairs apart whatever characters they contain.
    const field = JSON.stringify([key, plugin]);
    const until = claims.get(field);
    if (until !== undefined && at < until) return false;
    claims.set(field, acceptedAt === undefined ? Infinity : acceptedAt + windowMs);
    return true;
  });
}
