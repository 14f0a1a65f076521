// What accept() hands the store for each event it journals: the event, its
// deliveries (one per plugin subscribed now), and its replay claim if it has
// one. What the write's answer makes of them is in accepted-deliveries.ts.
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { AcceptInput, ReplayClaim } from '../store/store.ts';

/** `claims[i]`, when given, is event i's replay claim; `route` makes an event's deliveries, in the events' order. */
export function acceptInputs(events: readonly PlexusEvent[], acceptedAt: number, route: (event: PlexusEvent) => AcceptInput['deliveries'], claims?: readonly (ReplayClaim | undefined)[]): AcceptInput[] {
  return events.map((event, i) => {
    const input: AcceptInput = { event, acceptedAt, deliveries: route(event) };
    const claim = claims?.[i];
    if (claim !== undefined) input.claim = claim;
    return input;
  });
}
