// Which plugins an event gets a delivery for, each delivery with a fresh id:
// accepted and replayed events go to the plugins subscribed now, events
// plugins emit to those and to the emittedOnly lanes (egress targets) too.
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { RoutingTable } from '../router/routing-table.ts';
import type { ActivePlugin } from './active-plugin.ts';
import type { DeliveryIds } from './delivery-ids.ts';

export class DeliveryRoutes {
  private readonly ids: DeliveryIds;
  private routes = RoutingTable.EMPTY;
  /** For events plugins emit: `routes` plus the emittedOnly lanes (egress targets); the same table when there are none. */
  private emittedRoutes = RoutingTable.EMPTY;

  constructor(ids: DeliveryIds) {
    this.ids = ids;
  }

  /** The active plugins changed: routes to them from now on. */
  set(plugins: readonly ActivePlugin[]): void {
    this.routes = RoutingTable.build(plugins.filter((p) => p.emittedOnly !== true).map((p) => ({ pluginKey: p.name, patterns: p.subscribe })));
    this.emittedRoutes = plugins.some((p) => p.emittedOnly === true) ? RoutingTable.build(plugins.map((p) => ({ pluginKey: p.name, patterns: p.subscribe }))) : this.routes;
  }

  /** One delivery per subscribed plugin, under the routing table in force now; `emitted`: the event is one a plugin emitted. */
  route(event: PlexusEvent, now: number, emitted = false): { id: string; plugin: string }[] {
    const table = emitted ? this.emittedRoutes : this.routes;
    return table.match(event.type).map((plugin) => ({ id: this.ids.next(now), plugin }));
  }
}
