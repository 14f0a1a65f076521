// Two plugins on one real sandbox (2 workers): A busy-loops 20 ms per event
// and has a backlog, one batch of it running on each worker; B does nothing.
// B's events must not wait for A's batches to end. They did: a new
// instance's first batch (and every later probe) ran as a sync call, which
// holds its worker thread, and B's batch sent to that worker could not even
// be read off its link until A's 50 events were done (sync-path.ts).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CoreFixture, event } from './core-fixture.ts';

const SPIN_MS = 20;
const BATCH = 50;
/** One batch per worker. */
const BACKLOG = 2 * BATCH;
const B_EVENTS = 10;

const fixture = new CoreFixture('sqlite');
before(() => fixture.start());
after(() => fixture.stop());

const hungry = {
  name: 'hungry',
  subscribe: ['hungry.#'],
  limits: { timeoutMs: 30_000 },
  source: `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ execute() { const end = Date.now() + ${SPIN_MS}; while (Date.now() < end); } });`,
};
const trivial = { name: 'trivial', subscribe: ['trivial.#'], source: `import { definePlugin } from '@plexus/plugin-sdk';\nexport default definePlugin({ execute() {} });` };

test("a trivial plugin's events are run while a CPU-hungry plugin's batches still run on every worker", { timeout: 60_000 }, async () => {
  const a = await fixture.plugin(hungry, { batchSize: BATCH, concurrency: 2 });
  const b = await fixture.plugin(trivial);
  fixture.engine.setPlugins([a, b]);
  await fixture.engine.accept(Array.from({ length: BACKLOG }, () => event('hungry.work')));
  await fixture.waitFor(() => fixture.engine.laneStates().find((l) => l.plugin === a.name)?.inFlight === 2);
  // Both of A's batches are in the sandbox, one per worker: wherever B's batches go, an A batch runs there.
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (let i = 0; i < B_EVENTS; i++) await fixture.engine.accept([event('trivial.ping')]);
  await fixture.waitFor(() => fixture.outcomesFor(b.name).length === B_EVENTS, 30_000);
  const aDone = fixture.outcomesFor(a.name).length;
  assert.ok(fixture.outcomesFor(b.name).every((o) => o.outcome.ok));
  assert.ok(aDone < BATCH, `B's ${B_EVENTS} events were all run only once ${aDone} of A's ${BACKLOG} were: they waited behind A's batches`);
  await fixture.waitFor(() => fixture.outcomesFor(a.name).length === BACKLOG, 30_000);
  assert.ok(fixture.outcomesFor(a.name).every((o) => o.outcome.ok), 'no A event is lost or failed');
});
