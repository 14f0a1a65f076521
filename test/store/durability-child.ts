// Child process of sqlite-durability.test.ts. Usage: durability-child.ts <db> once|stream <batch size>
//   once:   accept one batch, settle half of it, print "committed", then SIGKILL itself
//           the moment the promise resolves: no close, no exit handlers, nothing flushed.
//   stream: accept batches forever, printing each batch number once
//           its promise resolved; the parent SIGKILLs it at some point.
import type { PlexusEvent } from '@plexus/plugin-sdk';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { AcceptInput } from '../../src/store/store.ts';

function batch(n: number): AcceptInput[] {
  return Array.from({ length: BATCH }, (_, i) => {
    const event: PlexusEvent = { specversion: '1.0', id: `b${n}-${i}`, source: 'durability', type: 'test.durable', data: { n, i } };
    return { event, acceptedAt: 1_700_000_000_000 + n, deliveries: [{ id: `b${n}-${i}`, plugin: 'p' }] };
  });
}

const [path, mode, size] = process.argv.slice(2);
const BATCH = Number(size);
if (path === undefined || (mode !== 'once' && mode !== 'stream') || !(BATCH > 0)) throw new Error('usage: durability-child.ts <db> once|stream <batch size>');
const store = SqliteStore.open(path);

if (mode === 'once') {
  await store.accept(batch(0), 0);
  await store.settle(Array.from({ length: BATCH / 2 }, (_, i) => ({ kind: 'done' as const, deliveryId: `b0-${i}` })), [], 0);
  process.stdout.write('committed\n', () => process.kill(process.pid, 'SIGKILL'));
} else {
  for (let n = 0; ; n++) {
    await store.accept(batch(n), 0);
    process.stdout.write(`${n}\n`);
  }
}
