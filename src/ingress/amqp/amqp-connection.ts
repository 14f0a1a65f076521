// One watched amqplib connection, shared by the consuming session and the
// egress publisher: `lost` settles (with the cause, when there is one) the
// moment the connection or the session's channel goes, so the owner's
// reconnect loop never has to poll.
import type { ChannelModel } from 'amqplib';
import type { AmqpSourceConfig } from '../broker-config.ts';
import { settledWithin } from '../broker-reconnect-delay.ts';
import { amqpConnectOptions } from './amqp-connect-options.ts';

/** How long a closing connection waits for RabbitMQ's answer before it drops the socket. */
export const CONNECTION_CLOSE_MS = 5_000;

export interface WatchedConnection {
  model: ChannelModel;
  lost: Promise<Error | undefined>;
  /** Ends the session with this cause (e.g. its channel closed); the first call wins. */
  markLost(cause: Error | undefined): void;
  /** Remembers an error so the loss reports it (amqplib emits 'error' before 'close'). */
  noteError(err: Error): void;
  /** The last error seen, if any. */
  lastError(): Error | undefined;
}

export async function openAmqpConnection(config: AmqpSourceConfig, connectionName: string): Promise<WatchedConnection> {
  // amqplib is imported at the first connection, not with the host: ~30 ms of CPU a host without RabbitMQ never needs.
  const { connect } = await import('amqplib');
  const model = await connect(amqpConnectOptions(config), { timeout: config.connectTimeoutMs, clientProperties: { connection_name: connectionName } });
  let lastError: Error | undefined;
  // The executor runs at once: markLost is the promise's resolve from here on.
  let markLost!: (cause: Error | undefined) => void;
  const lost = new Promise<Error | undefined>((resolve) => {
    markLost = resolve;
  });
  const noteError = (err: Error) => {
    lastError = err;
  };
  // Without an 'error' listener an EventEmitter error would crash the host.
  model.on('error', noteError);
  model.on('close', (err?: Error) => markLost(err ?? lastError));
  return { model, lost, markLost, noteError, lastError: () => lastError };
}

/**
 * A session on a new connection, for the consuming session and the egress
 * publisher alike: `setUp` (channels, declarations, consumers) gets `ms`.
 * amqplib's connect timeout ends with the handshake, and a broker silent from
 * then on (heartbeats off) held the set-up, and with it the host's start,
 * every reconnect and the stop, for ever. A set-up that fails closes the
 * connection and throws the connection's own error when it has one; one out
 * of time drops the socket, since a close handshake would wait for the same
 * silence (the set-up then fails, unheard). `what`: what was opening, for the error.
 */
export async function openAmqpSession<T>(config: AmqpSourceConfig, connectionName: string, ms: number, what: string, setUp: (connection: WatchedConnection) => Promise<T>): Promise<T> {
  const connection = await openAmqpConnection(config, connectionName);
  let opened: { value: T } | undefined;
  try {
    opened = await settledWithin(setUp(connection), ms);
  } catch (err) {
    await closeAmqpConnection(connection.model);
    throw connection.lastError() ?? err;
  }
  if (opened !== undefined) return opened.value;
  await closeAmqpConnection(connection.model, 0);
  throw new Error(`RabbitMQ answered nothing within ${ms} ms while ${what}: the connection is silent; opening a new one`);
}

/**
 * Closes the connection; never waits longer than `ms`. amqplib settles
 * close() only when RabbitMQ answers it, and not at all when the socket ends
 * first, so a partitioned, frozen or alarm-blocked broker would hold a stop
 * (and with it the host's shutdown: cleanup hooks, the store's close) forever.
 * Past `ms` the socket is destroyed: the broker sees the connection drop, and
 * anything unacked goes back to its queue.
 */
export async function closeAmqpConnection(model: ChannelModel, ms = CONNECTION_CLOSE_MS): Promise<void> {
  const closed = await settledWithin(model.close().catch(() => undefined), ms);
  // With an error: amqplib learns of a socket's end only from its 'end' and 'error' events, and
  // destroy() alone emits neither, so the connection would never report itself closed.
  if (closed === undefined) (model as unknown as { connection?: { stream?: { destroy(err: Error): void } } }).connection?.stream?.destroy(new Error(`RabbitMQ did not answer the connection's close within ${ms} ms`));
}
