// Each sandbox worker's own MessagePort to the sandbox's main thread, for
// control messages, their acks and host calls (protocol.ts says why not a
// BroadcastChannel). The worker hands the port's other end over on piscina's
// parentPort, which piscina's pool re-emits as a 'message' event; nothing
// else of ours travels there.
import { MessageChannel, MessagePort, parentPort, threadId } from 'node:worker_threads';
import type { MainToWorker, WorkerToMain } from './protocol.ts';

/** A worker's hello: its port, and the thread it speaks for. */
export interface WorkerHello {
  plexusWorkerPort: MessagePort;
  threadId: number;
}

export interface WorkerPort {
  send(message: WorkerToMain): void;
  /** Hands the main thread its end of the port: from then on this worker gets control messages and is waited for. */
  announce(): void;
}

/** Worker side. `onMessage` gets what the main thread sends; nothing arrives before announce(). */
export function openWorkerPort(onMessage: (message: MainToWorker) => void): WorkerPort {
  const { port1: own, port2: mainEnd } = new MessageChannel();
  own.on('message', onMessage);
  // The pool keeps the thread alive, not this port.
  own.unref();
  return {
    send: (message) => own.postMessage(message),
    announce: () => parentPort?.postMessage({ plexusWorkerPort: mainEnd, threadId } satisfies WorkerHello, [mainEnd]),
  };
}

/** Main side: the hello in a piscina 'message' event, if it is one. */
export function workerHello(message: unknown): WorkerHello | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { plexusWorkerPort, threadId: id } = message as Partial<WorkerHello>;
  return plexusWorkerPort instanceof MessagePort && typeof id === 'number' ? { plexusWorkerPort, threadId: id } : undefined;
}
