// An egress target as the delivery engine runs it: a lane whose batches are
// published instead of run in the sandbox (ActivePlugin.execute). Every
// event gets an outcome like a plugin's: success once the broker confirmed
// it, else a retryable PLEXUS_UNAVAILABLE failure, so retries with backoff,
// the circuit breaker, partition-key order and the DLQ are the engine's,
// and a delivery is settled only after its publish was confirmed.
//
// While the connection is down nothing is attempted (the connection logs
// and retries by itself): the batch fails at once and waits for its retry.
import { toErrorData, type ErrorData } from '@plexus/plugin-sdk';
import { CLEAN_OK, failure, type CallOutcome, type RunResult } from '@plexus/plugin-sdk/runtime';
import type { BatchExecutor } from '../delivery/plugin-lane.ts';
import type { BrokerConnection } from '../ingress/broker-connection.ts';
import type { EgressTarget } from './egress-config.ts';
import type { PublishSession } from './publish-session.ts';

export interface EgressReport {
  published(target: EgressTarget, count: number): void;
  /** Publishes that failed on an open connection (a down one is reported by the connection). */
  failed(target: EgressTarget, count: number, error: ErrorData): void;
}

export function egressExecutor<T extends EgressTarget>(target: T, connection: BrokerConnection<PublishSession<T>>, report: EgressReport): BatchExecutor {
  return async (events) => {
    const session = connection.state === 'connected' ? connection.session : undefined;
    if (session === undefined) {
      const why = await connection.check().then(() => new Error(`${target.lane}: not connected`), (err: unknown) => err);
      // PLEXUS_UNAVAILABLE even when the connection's circuit is open (check() says PLEXUS_CIRCUIT_OPEN): one code for alerts to key on.
      const error = { ...toErrorData(why, 'PLEXUS_UNAVAILABLE'), code: 'PLEXUS_UNAVAILABLE' };
      return result(events.map(() => failure(error)));
    }
    const results = await session.publish(target, events);
    let published = 0;
    let firstError: ErrorData | undefined;
    const outcomes = results.map((err) => {
      if (err === undefined) {
        published++;
        return CLEAN_OK;
      }
      const error = { ...toErrorData(err, 'PLEXUS_UNAVAILABLE'), code: 'PLEXUS_UNAVAILABLE' };
      firstError ??= error;
      return failure(error);
    });
    if (published > 0) report.published(target, published);
    if (firstError !== undefined) report.failed(target, events.length - published, firstError);
    return result(outcomes);
  };
}

function result(outcomes: CallOutcome[]): RunResult {
  return { outcomes, restarts: [], denials: [], instanceLogs: [] };
}
