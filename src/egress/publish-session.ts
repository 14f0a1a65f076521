// What an egress target needs from a broker session: publish a batch and
// say, per event, whether the broker confirmed it. A session is whatever one
// connection attempt builds; BrokerConnection (src/ingress) keeps one open
// with backoff and a circuit breaker, exactly as for consumption.
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { BrokerSession } from '../ingress/broker-connection.ts';
import type { EgressTarget } from './egress-config.ts';

export interface PublishSession<T extends EgressTarget> extends BrokerSession {
  /** One entry per event, in order: undefined once the broker confirmed it, else why not. Never rejects. */
  publish(target: T, events: readonly PlexusEvent[]): Promise<(Error | undefined)[]>;
}

/** `results`, or an error for every event when they do not come within `ms` (the target's confirmTimeoutMs). */
export async function withinConfirmTimeout(results: Promise<(Error | undefined)[]>, count: number, ms: number): Promise<(Error | undefined)[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<(Error | undefined)[]>((resolve) => {
    timer = setTimeout(() => resolve(Array.from({ length: count }, () => new Error(`not confirmed within ${ms} ms`))), ms);
  });
  try {
    return await Promise.race([results, late]);
  } finally {
    clearTimeout(timer);
  }
}
