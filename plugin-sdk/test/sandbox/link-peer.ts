// A stranger on the host's worker-link socket (worker-links.ts), for the
// tests of what the host admits and what it drops.
import { connect, type Socket } from 'node:net';
import { frameOf } from '../../src/sandbox/frames.ts';

/** Connects to `path`; the socket's later errors (the host resetting it) are expected and ignored. */
export function openPeer(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path, () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

export function sendFrame(socket: Socket, value: unknown): void {
  for (const part of frameOf(value)) socket.write(part);
}

/** Whether the host closed `socket` within `ms`. */
export function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  if (socket.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
