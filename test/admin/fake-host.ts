// An in-memory stand-in for the Host behind the admin API: a DLQ the filters
// really apply to, a record of accepted events and replays, and switches to
// make the store or sandbox fail. Lets the admin and CLI tests run without a
// store or sandbox process.
import { PlexusError, type PlexusEvent } from '@plexus/plugin-sdk';
import type { AdminHost } from '../../src/admin/admin-host.ts';
import type { ActivePlugin } from '../../src/delivery/plugin-lane.ts';
import type { AcceptResult, DlqEntry, DlqFilter } from '../../src/store/store.ts';

export class FakeHost implements AdminHost {
  dlq: DlqEntry[] = [];
  readonly accepted: PlexusEvent[] = [];
  readonly replays: { from: number; to?: number; type?: string }[] = [];
  readonly requeued: DlqEntry[] = [];
  plugins: ActivePlugin[] = [];
  failedPlugins: { name: string; error: Error }[] = [];
  acceptError: Error | undefined;
  storeError: Error | undefined;
  sandboxDelayMs = 0;
  replayCount = 0;

  readonly store = {
    countDlq: async (filter: DlqFilter) => this.#matching(filter).length,
    getDlq: async (id: string) => {
      if (this.storeError) throw this.storeError;
      return this.dlq.find((e) => e.id === id);
    },
  };

  readonly sandbox = {
    stats: async () => {
      await new Promise((resolve) => setTimeout(resolve, this.sandboxDelayMs));
      return { pid: 1, rssBytes: 0, threads: 1, instances: 0, utilization: 0 };
    },
  };

  async accept(events: readonly PlexusEvent[]): Promise<AcceptResult> {
    if (this.acceptError) throw this.acceptError;
    this.accepted.push(...events);
    return { created: [], duplicates: 0 };
  }

  async listDlq(filter: DlqFilter, page: { limit: number; offset?: number }): Promise<DlqEntry[]> {
    const offset = page.offset ?? 0;
    return this.#matching(filter).slice(offset, offset + page.limit);
  }

  async getDlq(id: string): Promise<DlqEntry> {
    const entry = this.dlq.find((e) => e.id === id);
    if (!entry) throw new PlexusError('PLEXUS_NOT_FOUND', `no dead-letter entry ${id}`);
    return entry;
  }

  async purgeDlq(filter: DlqFilter): Promise<number> {
    const gone = this.#matching(filter);
    this.dlq = this.dlq.filter((e) => !gone.includes(e));
    return gone.length;
  }

  async replayDlq(filter: DlqFilter): Promise<number> {
    const moved = this.#matching(filter);
    this.dlq = this.dlq.filter((e) => !moved.includes(e));
    this.requeued.push(...moved);
    return moved.length;
  }

  async replay(query: { from: number; to?: number; type?: string }): Promise<number> {
    this.replays.push(query);
    return this.replayCount;
  }

  #matching(filter: DlqFilter): DlqEntry[] {
    return this.dlq.filter((e) =>
      (filter.ids === undefined || filter.ids.includes(e.id)) &&
      (filter.plugin === undefined || e.plugin === filter.plugin) &&
      (filter.type === undefined || e.event.type === filter.type) &&
      (filter.source === undefined || e.event.source === filter.source) &&
      (filter.reason === undefined || e.reason === filter.reason) &&
      (filter.from === undefined || e.deadAt >= filter.from) &&
      (filter.to === undefined || e.deadAt < filter.to));
  }
}

export const T0 = Date.parse('2024-05-01T10:00:00Z');

/** A DLQ entry dead-lettered `minutes` after T0. */
export function dlqEntry(id: string, fields: { plugin?: string; type?: string; source?: string; reason?: DlqEntry['reason']; minutes?: number } = {}): DlqEntry {
  const deadAt = T0 + (fields.minutes ?? 0) * 60_000;
  return {
    id,
    plugin: fields.plugin ?? '@acme/enricher',
    event: { specversion: '1.0', id: `evt-${id}`, source: fields.source ?? 'webhook/github', type: fields.type ?? 'orders.created', data: { n: id } },
    reason: fields.reason ?? 'exhausted',
    attempts: 4,
    error: { name: 'Error', message: 'upstream said 503', code: 'PLEXUS_PLUGIN_ERROR' },
    acceptedAt: deadAt - 5000,
    deadAt,
  };
}
