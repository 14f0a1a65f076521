// The host ↔ worker link is a byte stream: frames must come out whole and in
// order however the bytes are cut, and a header announcing an absurd length
// must be refused rather than buffered for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameReader, frameOf, MAX_FRAME_BYTES } from '../../src/sandbox/frames.ts';

const values = [
  { kind: 'run', id: 1, eventsJson: JSON.stringify([{ n: 'é'.repeat(70_000) }]), count: 1 },
  { kind: 'run-result', id: 2, result: { outcomes: [], restarts: [], denials: [], instanceLogs: [] } },
  { kind: 'hello', token: 'a'.repeat(64), pid: 7, threadId: 1 },
  null,
];
const stream = Buffer.concat(values.flatMap((v) => frameOf(v)));

test('frames split at every size from 1 byte to the whole stream come out whole and in order', () => {
  for (const size of [1, 2, 3, 4, 5, 7, 64, 1000, 65_536, stream.length]) {
    const reader = new FrameReader();
    const out: unknown[] = [];
    for (let at = 0; at < stream.length; at += size) out.push(...reader.push(stream.subarray(at, at + size)));
    assert.deepEqual(out, values, `chunks of ${size} bytes`);
  }
});

test('chunks read into one reused buffer (a socket\'s onread) come out the same: what a frame keeps of one is copied before it is overwritten', () => {
  for (const size of [1, 3, 4, 5, 7, 64, 1000, 65_536]) {
    const reader = new FrameReader();
    const reused = Buffer.alloc(size);
    const out: unknown[] = [];
    for (let at = 0; at < stream.length; at += size) {
      const n = stream.copy(reused, 0, at, at + size);
      out.push(...reader.push(reused.subarray(0, n), true));
      reused.fill(0xee);
    }
    assert.deepEqual(out, values, `chunks of ${size} bytes`);
  }
});

test('a header announcing more than the frame limit is refused', () => {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(MAX_FRAME_BYTES + 1, 0);
  assert.throws(() => new FrameReader().push(header), RangeError);
});
