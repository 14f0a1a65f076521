// One watched amqplib connection, shared by the consuming session and the
// egress publisher: `lost` settles (with the cause, when there is one) the
// moment the connection or the session's channel goes, so the owner's
// reconnect loop never has to poll.
import { connect, type ChannelModel } from 'amqplib';
import type { AmqpSourceConfig } from '../broker-config.ts';
import { amqpConnectOptions } from './amqp-connect-options.ts';

const CONNECT_TIMEOUT_MS = 10_000;

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
  const model = await connect(amqpConnectOptions(config), { timeout: CONNECT_TIMEOUT_MS, clientProperties: { connection_name: connectionName } });
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
