// Host side of the direct links to the sandbox's worker threads. A batch used
// to go host → sandbox process (IPC) → worker (a piscina task) and its
// outcomes back the same way, so the sandbox's main thread deserialized,
// cloned and re-serialized every batch in both directions: ~1.8 µs of CPU
// per event under bench:brokers' Redis stream, and two more thread hops on
// every batch's round trip. Now each worker connects to a socket the host
// listens on (a Unix socket in a private directory; a named pipe on
// Windows), proves it was started by this host with the token the sandbox
// process was given, and receives runs there. Everything else (warm-ups,
// evictions, host calls, stats) still goes through the sandbox process, and
// so do runs while no link is up.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameReader, MAX_FRAME_BYTES, writeFrame } from './frames.ts';
import type { HostToWorker, WorkerLinkAddress, WorkerToHost } from './protocol.ts';

/** A connection that has not said a valid hello by then is dropped. */
const HELLO_TIMEOUT_MS = 10_000;
/** A hello is ~150 bytes: a peer not yet admitted cannot make the host buffer more than this. */
const HELLO_MAX_BYTES = 1024;

/** One worker thread's link. */
export class WorkerLink {
  readonly pid: number;
  readonly threadId: number;
  readonly #socket: Socket;
  /** Runs sent on this link and not answered yet. */
  inFlight = 0;

  constructor(socket: Socket, pid: number, threadId: number) {
    this.#socket = socket;
    this.pid = pid;
    this.threadId = threadId;
  }

  send(message: HostToWorker): void {
    writeFrame(this.#socket, message);
  }

  close(): void {
    this.#socket.destroy();
  }
}

export interface WorkerLinkHandlers {
  /** A run's answer arrived on `link`. */
  onMessage(link: WorkerLink, message: Exclude<WorkerToHost, { kind: 'hello' }>): void;
  /** `link` is gone: whatever it had in flight will not be answered on it. */
  onClose(link: WorkerLink): void;
}

export class WorkerLinks {
  readonly address: WorkerLinkAddress;
  readonly #server: Server;
  readonly #dir: string | undefined;
  readonly #token: Buffer;
  readonly #links = new Set<WorkerLink>();
  /** Connections that have not said their hello yet: close() drops them too, or the server's close waits out their hello timeout. */
  readonly #unadmitted = new Set<Socket>();
  readonly #handlers: WorkerLinkHandlers;
  /** A host that exits without close() (a crash, a forced exit) still removes the socket's directory. */
  readonly #removeOnExit = () => this.#removeDir();

  private constructor(server: Server, address: WorkerLinkAddress, dir: string | undefined, handlers: WorkerLinkHandlers) {
    this.#server = server;
    this.address = address;
    this.#dir = dir;
    this.#token = Buffer.from(address.token);
    this.#handlers = handlers;
  }

  /** Listens on a fresh private address. */
  static async listen(handlers: WorkerLinkHandlers): Promise<WorkerLinks> {
    const token = randomBytes(32).toString('hex');
    // The directory is created 0700: only this user can reach the socket at all; the token then tells this host's sandbox from any other process of the user's.
    const dir = process.platform === 'win32' ? undefined : mkdtempSync(join(tmpdir(), 'plexus-sandbox-'));
    const path = dir === undefined ? `\\\\.\\pipe\\plexus-sandbox-${randomBytes(12).toString('hex')}` : join(dir, 'workers.sock');
    const server = createServer();
    const links = new WorkerLinks(server, { path, token }, dir, handlers);
    server.on('connection', (socket) => links.#admit(socket));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      links.#removeDir();
      throw err;
    }
    // The sandbox's links must not keep a stopping host alive.
    server.unref();
    process.once('exit', links.#removeOnExit);
    return links;
  }

  /** The link of a worker of process `pid` with the fewest runs in flight, if any is up with fewer than `perWorker`. */
  pick(pid: number | undefined, perWorker: number): WorkerLink | undefined {
    let best: WorkerLink | undefined;
    for (const link of this.#links) {
      if (link.pid !== pid || link.inFlight >= perWorker) continue;
      if (best === undefined || link.inFlight < best.inFlight) best = link;
    }
    return best;
  }

  /** Links up from workers of process `pid`. */
  count(pid: number | undefined): number {
    let n = 0;
    for (const link of this.#links) if (link.pid === pid) n++;
    return n;
  }

  /** Drops every link (the server keeps listening). */
  closeLinks(): void {
    for (const link of this.#links) link.close();
  }

  async close(): Promise<void> {
    for (const socket of this.#unadmitted) socket.destroy();
    this.closeLinks();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    process.off('exit', this.#removeOnExit);
    this.#removeDir();
  }

  #admit(socket: Socket): void {
    socket.unref();
    const reader = new FrameReader(HELLO_MAX_BYTES);
    let link: WorkerLink | undefined;
    const refuse = () => socket.destroy();
    const helloTimer = setTimeout(refuse, HELLO_TIMEOUT_MS);
    helloTimer.unref();
    this.#unadmitted.add(socket);
    socket.on('error', () => undefined); // 'close' follows, and handles it
    socket.on('close', () => {
      clearTimeout(helloTimer);
      this.#unadmitted.delete(socket);
      if (link === undefined) return;
      this.#links.delete(link);
      this.#handlers.onClose(link);
    });
    socket.on('data', (chunk: Buffer) => {
      // Whatever a peer sends, a bad frame costs it its link, never the host its thread.
      try {
        for (const message of reader.push(chunk)) {
          if (link === undefined) {
            if (!this.#validHello(message)) return refuse();
            clearTimeout(helloTimer);
            this.#unadmitted.delete(socket);
            reader.maxFrameBytes = MAX_FRAME_BYTES;
            link = new WorkerLink(socket, message.pid, message.threadId);
            this.#links.add(link);
          } else {
            if (!isRunAnswer(message)) return refuse();
            this.#handlers.onMessage(link, message);
          }
        }
      } catch {
        refuse();
      }
    });
  }

  #validHello(raw: unknown): raw is Extract<WorkerToHost, { kind: 'hello' }> {
    if (typeof raw !== 'object' || raw === null) return false;
    const message = raw as Partial<Record<string, unknown>>;
    if (message.kind !== 'hello' || typeof message.pid !== 'number' || typeof message.threadId !== 'number' || typeof message.token !== 'string') return false;
    const offered = Buffer.from(message.token);
    return offered.length === this.#token.length && timingSafeEqual(offered, this.#token);
  }

  #removeDir(): void {
    if (this.#dir !== undefined) rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** The shape of a run's answer; its contents are the sandbox's own, as over IPC. */
function isRunAnswer(raw: unknown): raw is Exclude<WorkerToHost, { kind: 'hello' }> {
  if (typeof raw !== 'object' || raw === null) return false;
  const message = raw as Partial<Record<string, unknown>>;
  if (typeof message.id !== 'number') return false;
  if (message.kind === 'run-failed') return typeof message.error === 'object' && message.error !== null;
  if (message.kind !== 'run-result' || typeof message.result !== 'object' || message.result === null) return false;
  const result = message.result as Partial<Record<string, unknown>>;
  return Array.isArray(result.outcomes) && Array.isArray(result.restarts) && Array.isArray(result.denials) && Array.isArray(result.instanceLogs);
}
