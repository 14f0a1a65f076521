// Length-prefixed frames of V8-serialized values: how the host and each
// sandbox worker talk over their direct link (worker-links.ts). The same
// encoding Node's 'advanced' IPC serialization uses, minus the IPC channel's
// relay through the sandbox process's main thread.
import { deserialize, serialize } from 'node:v8';
import type { Socket } from 'node:net';

const HEADER_BYTES = 4;
/** A frame announcing more than this is a broken or hostile peer, not a batch. */
export const MAX_FRAME_BYTES = 1024 * 1024 * 1024;

/** One frame: its header (the body's length) and its body. */
export function frameOf(value: unknown): [header: Buffer, body: Buffer] {
  const body = serialize(value);
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32BE(body.length, 0);
  return [header, body];
}

/** Writes one frame: header and body leave in one writev. */
export function writeFrame(socket: Socket, value: unknown): boolean {
  const [header, body] = frameOf(value);
  socket.cork();
  socket.write(header);
  const flushed = socket.write(body);
  socket.uncork();
  return flushed;
}

/** Reassembles frames from a byte stream, whatever the chunk boundaries. */
export class FrameReader {
  /** Largest frame accepted now: a peer not yet admitted gets a small one. */
  maxFrameBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** Body length of the frame being read, once its header is in. */
  #expected = -1;

  constructor(maxFrameBytes = MAX_FRAME_BYTES) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * Feeds `chunk`; answers the values of every frame it completed, in order.
   * Throws on a frame over maxFrameBytes. `transient`: the caller reuses
   * `chunk`'s memory once this returns (a socket's onread buffer), so what
   * stays buffered of it, the start of a frame, is copied out first.
   */
  push(chunk: Buffer, transient = false): unknown[] {
    try {
      return this.#push(chunk);
    } finally {
      // Only the last buffered piece can be (part of) `chunk`: it went in last, and #take cuts from the front.
      const last = this.#chunks.length - 1;
      if (transient && last >= 0 && (this.#chunks[last] as Buffer).buffer === chunk.buffer) this.#chunks[last] = Buffer.from(this.#chunks[last] as Buffer);
    }
  }

  #push(chunk: Buffer): unknown[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const values: unknown[] = [];
    for (;;) {
      if (this.#expected < 0) {
        if (this.#buffered < HEADER_BYTES) break;
        this.#expected = this.#take(HEADER_BYTES).readUInt32BE(0);
        if (this.#expected > this.maxFrameBytes) throw new RangeError(`a frame of ${this.#expected} bytes exceeds ${this.maxFrameBytes}`);
      }
      if (this.#buffered < this.#expected) break;
      const body = this.#take(this.#expected);
      this.#expected = -1;
      values.push(deserialize(body));
    }
    return values;
  }

  /** The next `n` buffered bytes (n <= buffered): a view when the first chunk holds them, else one concatenation of what is buffered. */
  #take(n: number): Buffer {
    let first = this.#chunks[0] as Buffer;
    if (first.length < n) {
      first = Buffer.concat(this.#chunks, this.#buffered);
      this.#chunks = [first];
    }
    if (first.length === n) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(n);
    this.#buffered -= n;
    return first.subarray(0, n);
  }
}
