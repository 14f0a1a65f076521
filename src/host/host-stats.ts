// Counters the host keeps for the admin API and metrics, per plugin where it
// matters. Plain numbers: the metrics module reads them, nothing else writes.
export interface PluginCounters {
  executions: number;
  failures: number;
  retries: number;
  deadLettered: number;
  denials: number;
  restarts: Record<string, number>;
}

export class HostStats {
  accepted = 0;
  duplicates = 0;
  readonly plugins = new Map<string, PluginCounters>();

  plugin(name: string): PluginCounters {
    let counters = this.plugins.get(name);
    if (!counters) {
      counters = { executions: 0, failures: 0, retries: 0, deadLettered: 0, denials: 0, restarts: {} };
      this.plugins.set(name, counters);
    }
    return counters;
  }
}
