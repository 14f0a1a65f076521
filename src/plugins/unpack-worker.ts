// Plugin packages are fetched, checked and unpacked on a worker thread of
// their own (install-worker.ts), at the lowest priority, not on the host's
// event loop. An install runs while events flow: pacote's requests, tar
// parsing, manifest validation and file writes cost the loop several ms of
// CPU per install plus the garbage they leave, and the loop is what every
// event waits on. Rarely used, that code is also cold there (V8 drops the
// bytecode of functions unused for a while, so each install compiled it
// again). On a thread of its own it stays warm and uses spare CPU only.
//
// One thread, started by the first install or ahead of it (start(): loading
// the installer there takes about half a second), kept for the host's life
// unless idleMs says otherwise; one that dies is replaced by the next
// install. Requests carry a correlation id; errors cross as plain data
// {name, message, code, details} and come back as PlexusErrors.
import { Worker } from 'node:worker_threads';
import { PlexusError, isPlexusErrorCode } from '@plexus/plugin-sdk';
import type { UnpackedPlugin, UnpackOptions } from './plugin-installer.ts';

/** What crosses to the thread (a Map survives the structured clone). */
export interface UnpackRequest {
  id: number;
  spec: string;
  options: UnpackOptions;
}

/** A failure as plain data: a PlexusError's details (a refused manifest's problems, say) cross too, for the admin API's 4xx replies. */
export interface UnpackErrorData {
  name: string;
  message: string;
  code?: string;
  details?: Record<string, unknown>;
}

export type UnpackReply = { id: number; started: true } | { id: number; ok: true; unpacked: UnpackedPlugin } | { id: number; ok: false; error: UnpackErrorData };

/** plugin-installer's unpackPlugin, wherever it runs. */
export type Unpack = (spec: string, options: UnpackOptions) => Promise<UnpackedPlugin>;

/**
 * The longest an install may spend fetching and unpacking. pacote's timeout
 * is an idle one: a registry sending a byte every 20 s never trips it, and
 * plugin operations run one at a time, so such an install held every
 * disable, configure and uninstall for hours. Past this, the thread doing it
 * is ended (the next install starts another).
 */
export const UNPACK_DEADLINE_MS = 5 * 60_000;

export class UnpackWorker {
  readonly #idleMs: number | undefined;
  readonly #deadlineMs: number;
  #worker: Worker | undefined;
  #nextId = 1;
  /** Requests in flight, each with the thread it went to: a retired thread's exit must not fail its successor's. */
  readonly #waiting = new Map<number, { worker: Worker; spec: string; resolve: (u: UnpackedPlugin) => void; reject: (e: Error) => void; deadline?: NodeJS.Timeout }>();
  #idleTimer: NodeJS.Timeout | undefined;
  #closed = false;

  /** `idleMs`: end the thread after this long without an install (default: keep it). `deadlineMs`: see UNPACK_DEADLINE_MS. */
  constructor(options: { idleMs?: number; deadlineMs?: number } = {}) {
    this.#idleMs = options.idleMs;
    this.#deadlineMs = options.deadlineMs ?? UNPACK_DEADLINE_MS;
  }

  /** Starts the thread now, so that the first install does not wait for it to load. */
  start(): void {
    if (!this.#closed && !this.#worker) this.#start();
  }

  readonly unpack: Unpack = (spec, options) => {
    if (this.#closed) return Promise.reject(new PlexusError('PLEXUS_UNAVAILABLE', 'the host is shutting down'));
    clearTimeout(this.#idleTimer);
    const worker = this.#worker ?? this.#start();
    const id = this.#nextId++;
    return new Promise<UnpackedPlugin>((resolve, reject) => {
      this.#waiting.set(id, { worker, spec, resolve, reject });
      worker.postMessage({ id, spec, options } satisfies UnpackRequest);
    });
  };

  /** The thread began `id`: from now it has UNPACK_DEADLINE_MS, or the thread is ended. */
  #arm(id: number): void {
    const waiter = this.#waiting.get(id);
    if (!waiter) return;
    waiter.deadline = setTimeout(() => {
      if (!this.#waiting.delete(id)) return;
      waiter.reject(new PlexusError('PLEXUS_UNAVAILABLE', `fetching and unpacking ${waiter.spec} took longer than ${Math.round(this.#deadlineMs / 1000)} s: the registry is too slow or stalled; try again later`));
      if (this.#worker === waiter.worker) this.#worker = undefined;
      void waiter.worker.terminate();
    }, this.#deadlineMs);
    waiter.deadline.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  #start(): Worker {
    const worker = new Worker(new URL('./install-worker.ts', import.meta.url));
    // An idle unpack thread must not keep a stopping process alive.
    worker.unref();
    worker.on('message', (reply: UnpackReply) => this.#settle(reply));
    worker.on('error', (err) => this.#lost(worker, err));
    worker.on('exit', (code) => this.#lost(worker, new Error(`it exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  #settle(reply: UnpackReply): void {
    if ('started' in reply) {
      this.#arm(reply.id);
      return;
    }
    const waiter = this.#waiting.get(reply.id);
    if (!waiter) return;
    this.#waiting.delete(reply.id);
    clearTimeout(waiter.deadline);
    if (reply.ok) waiter.resolve(reply.unpacked);
    else waiter.reject(toError(reply.error));
    if (this.#waiting.size === 0 && this.#idleMs !== undefined) {
      this.#idleTimer = setTimeout(() => void this.#retire(), this.#idleMs);
      this.#idleTimer.unref();
    }
  }

  /** The thread died (or was ended): what it was doing fails, and the next install starts a new one. */
  #lost(worker: Worker, err: Error): void {
    if (this.#worker === worker) this.#worker = undefined;
    for (const [id, waiter] of this.#waiting) {
      if (waiter.worker !== worker) continue;
      this.#waiting.delete(id);
      clearTimeout(waiter.deadline);
      waiter.reject(
        this.#closed
          ? new PlexusError('PLEXUS_UNAVAILABLE', 'the host is shutting down; the install did not finish')
          : new PlexusError('PLEXUS_INTERNAL', `the plugin unpack thread stopped: ${err.message}`, { cause: err }),
      );
    }
  }

  async #retire(): Promise<void> {
    const worker = this.#worker;
    if (!worker || this.#waiting.size > 0) return;
    this.#worker = undefined;
    await worker.terminate();
  }
}

/** Back from plain data: a PlexusError keeps its code and details; anything else stays an Error carrying its code. */
function toError(data: UnpackErrorData): Error {
  if (isPlexusErrorCode(data.code)) return new PlexusError(data.code, data.message, data.details === undefined ? undefined : { details: data.details });
  const error = new Error(data.message) as Error & { code?: string };
  error.name = data.name;
  if (data.code !== undefined) error.code = data.code;
  return error;
}
