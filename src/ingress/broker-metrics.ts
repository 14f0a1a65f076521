// Broker connections in the host's Prometheus registry, read at scrape time
// from the ingresses themselves (never stale): whether each is connected, its
// circuit, how many reconnects it needed, how many messages it holds
// unacknowledged, and per source the depth and lag the broker reported at
// its last poll (broker-depth.ts). Message counts go to
// plexus_ingress_events_total as they happen (broker-intake.ts).
import { Gauge, type Registry } from 'prom-client';
import type { BrokerConnection, BrokerSession } from './broker-connection.ts';
import type { DepthMetric, DepthReading } from './broker-depth.ts';

export interface MeteredBroker {
  readonly name: string;
  readonly connection: Pick<BrokerConnection<BrokerSession>, 'state' | 'circuit' | 'reconnects'>;
  readonly pending: number;
  readonly depth: readonly DepthReading[];
}

const DEPTH_GAUGES: readonly [DepthMetric, string][] = [
  ['queue_depth', 'Messages ready in a RabbitMQ queue (not yet delivered to any consumer), per source; polled every few seconds.'],
  ['stream_pending', 'Redis stream entries delivered to the consumer group and not yet acknowledged (XINFO GROUPS pending), per source.'],
  ['stream_lag', 'Redis stream entries not yet delivered to the consumer group (XINFO GROUPS lag), per source.'],
  ['list_length', 'Items waiting in a Redis reliable list (LLEN), per source.'],
];

const CIRCUIT = { closed: 0, 'half-open': 1, open: 2 } as const;

/** Registers the gauges once per host (names are unique in a registry). */
export function registerBrokerMetrics(registry: Registry, brokers: readonly MeteredBroker[]): void {
  if (brokers.length === 0) return;
  const each = (gauge: Gauge<'broker'>, value: (broker: MeteredBroker) => number) => {
    gauge.reset();
    for (const broker of brokers) gauge.set({ broker: broker.name }, value(broker));
  };
  new Gauge({ name: 'plexus_broker_connected', help: 'Broker connection up (1) or not (0), per broker ingress.', labelNames: ['broker'] as const, registers: [registry], collect() {
    each(this, (b) => (b.connection.state === 'connected' ? 1 : 0));
  } });
  new Gauge({ name: 'plexus_broker_circuit_state', help: 'Reconnection circuit per broker ingress: 0 closed, 1 half-open, 2 open.', labelNames: ['broker'] as const, registers: [registry], collect() {
    each(this, (b) => CIRCUIT[b.connection.circuit]);
  } });
  new Gauge({ name: 'plexus_broker_reconnects', help: 'Sessions reopened after a lost connection, per broker ingress (since start).', labelNames: ['broker'] as const, registers: [registry], collect() {
    each(this, (b) => b.connection.reconnects);
  } });
  new Gauge({ name: 'plexus_broker_unacked_messages', help: 'Messages taken from the broker and not yet acknowledged, per broker ingress.', labelNames: ['broker'] as const, registers: [registry], collect() {
    each(this, (b) => b.pending);
  } });
  for (const [metric, help] of DEPTH_GAUGES) {
    new Gauge({ name: `plexus_broker_${metric}`, help, labelNames: ['broker', 'source'] as const, registers: [registry], collect() {
      this.reset();
      for (const broker of brokers) for (const r of broker.depth) if (r.metric === metric) this.set({ broker: broker.name, source: r.source }, r.value);
    } });
  }
}
