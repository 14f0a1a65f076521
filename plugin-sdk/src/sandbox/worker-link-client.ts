// Worker side of the direct link to the host (worker-links.ts): connects,
// says hello with the token, and runs every batch that arrives on it through
// the same WorkerRuntime the piscina tasks use. If the link cannot be made
// or drops, runs keep arriving as piscina tasks: the host sends a batch over
// a link only while that link is up.
import { connect } from 'node:net';
import { threadId } from 'node:worker_threads';
import { toErrorData } from '../errors.ts';
import { FrameReader, writeFrame } from './frames.ts';
import type { HostToWorker, RunResult, WorkerLinkAddress, WorkerToHost } from './protocol.ts';

export interface LinkedRuntime {
  run(spec: HostToWorker['spec'], eventsJson: string, count: number): Promise<RunResult>;
}

/**
 * Bytes read from the link go into one buffer, reused for every read. A
 * buffer per read (Node's default) left this thread's malloc arena holding
 * freed 64 KiB blocks by the hundred under load.
 */
const READ_BUFFER_BYTES = 64 * 1024;

export function linkToHost(address: WorkerLinkAddress, runtime: LinkedRuntime): void {
  const reader = new FrameReader();
  const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  const socket = connect({
    path: address.path,
    onread: {
      buffer: readBuffer,
      callback: (bytes) => {
        received(readBuffer.subarray(0, bytes));
        return true;
      },
    },
  });
  // The worker lives as long as piscina keeps it; the link must not hold it.
  socket.unref();
  const send = (message: WorkerToHost) => writeFrame(socket, message);
  socket.on('error', () => undefined); // the host is gone or refused us
  send({ kind: 'hello', token: address.token, pid: process.pid, threadId });
  const received = (chunk: Buffer): void => {
    let messages: unknown[];
    try {
      messages = reader.push(chunk, true);
    } catch {
      socket.destroy();
      return;
    }
    for (const raw of messages) {
      const message = raw as HostToWorker;
      if (message.kind !== 'run') continue;
      runtime.run(message.spec, message.eventsJson, message.count).then(
        (result) => send({ kind: 'run-result', id: message.id, result }),
        (err: unknown) => send({ kind: 'run-failed', id: message.id, error: toErrorData(err, 'PLEXUS_SANDBOX_CRASHED') }),
      );
    }
  };
}
