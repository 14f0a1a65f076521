// `expiresat` (CONTRACT §5): an event not delivered by then is dead-lettered as `expired`.
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { parseRfc3339 } from './rfc3339.ts';

/** Epoch ms of `expiresat`, or undefined when the event never expires. */
export function expiresAtMs(event: Pick<PlexusEvent, 'expiresat'>): number | undefined {
  // Validated events always parse; an unparseable value is treated as "no
  // deadline" rather than "already expired" so a bug cannot drop events.
  return typeof event.expiresat === 'string' ? parseRfc3339(event.expiresat) : undefined;
}

/** Delivered "by" the deadline includes the deadline itself: expired only strictly after it. */
export function isExpired(event: Pick<PlexusEvent, 'expiresat'>, now: number): boolean {
  const deadline = expiresAtMs(event);
  return deadline !== undefined && now > deadline;
}
