// Every delivery rule of CONTRACT §5-§6, against the SQLite and the Redis store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PlexusEvent } from '@plexus/plugin-sdk';
import type { PluginRuntimeSpec, RunResult, SandboxPool } from '@plexus/plugin-sdk/runtime';
import { DeliveryEngine } from '../../src/delivery/engine.ts';
import type { Store } from '../../src/store/store.ts';
import { CoreFixture, STORE_KINDS, event, scripted } from './core-fixture.ts';

for (const kind of STORE_KINDS) {
  const up = await CoreFixture.available(kind);
  if (!up && process.env.CI === 'true') throw new Error(`${kind} is not reachable (start it: see test/helpers/services.ts)`);
  describe(`delivery on the ${kind} store`, { skip: up ? false : `start Redis on 127.0.0.1:6379 to run the ${kind} store tests` }, () => {
    const core = new CoreFixture(kind);
    before(() => core.start());
    after(() => core.stop());

    test('an event fans out to every plugin whose pattern matches its type, and only those', async () => {
      const a = await core.plugin(scripted('fan-a', ['orders.*.created']));
      const b = await core.plugin(scripted('fan-b', ['orders.#']));
      const c = await core.plugin(scripted('fan-c', ['payments.#']));
      core.engine.setPlugins([a, b, c]);
      await core.engine.accept([event('orders.eu.created'), event('orders.us.shipped'), event('payments.card')]);
      await core.engine.idle();
      assert.deepEqual(core.outcomesFor(a.name).map((o) => o.type), ['orders.eu.created']);
      assert.deepEqual(core.outcomesFor(b.name).map((o) => o.type).sort(), ['orders.eu.created', 'orders.us.shipped']);
      assert.deepEqual(core.outcomesFor(c.name).map((o) => o.type), ['payments.card']);
    });

    test('PermanentError goes straight to the DLQ with envelope, plugin, attempts, error and timestamps', async () => {
      const p = await core.plugin(scripted('perm'));
      core.engine.setPlugins([p]);
      const e = event('test.perm', { data: { permanent: true } });
      await core.engine.accept([e]);
      await core.engine.idle();
      assert.equal(core.outcomesFor(p.name).length, 1);
      const [entry] = await core.store.listDlq({ plugin: p.name }, { limit: 10 });
      assert.equal(entry?.reason, 'permanent');
      assert.equal(entry?.attempts, 1);
      assert.equal(entry?.event.id, e.id);
      assert.equal(entry?.error?.name, 'PermanentError');
      assert.ok((entry?.deadAt ?? 0) >= (entry?.acceptedAt ?? Infinity));
    });

    test('a failing plugin is retried with backoff, then dead-lettered as exhausted', async () => {
      const p = await core.plugin(scripted('flaky'), { retry: { maxRetries: 2, initialDelayMs: 40, multiplier: 2, maxDelayMs: 1000 } });
      core.engine.setPlugins([p]);
      await core.engine.accept([event('test.always', { data: { always: true } }), event('test.once', { data: { failTimes: 1 } })]);
      await core.engine.idle();
      const always = core.outcomesFor(p.name).filter((o) => o.type === 'test.always');
      assert.deepEqual(always.map((o) => o.settlement.kind), ['retry', 'retry', 'dead']);
      const once = core.outcomesFor(p.name).filter((o) => o.type === 'test.once');
      assert.deepEqual(once.map((o) => o.settlement.kind), ['retry', 'done']);
      const [entry] = await core.store.listDlq({ plugin: p.name }, { limit: 10 });
      assert.equal(entry?.reason, 'exhausted');
      assert.equal(entry?.attempts, 3);
    });

    test('an event past its expiresat is dead-lettered as expired without running', async () => {
      const p = await core.plugin(scripted('expiring'));
      core.engine.setPlugins([p]);
      await core.engine.accept([event('test.x', { expiresat: new Date(Date.now() - 1000).toISOString() })]);
      await core.engine.idle();
      assert.equal(core.outcomesFor(p.name).length, 0);
      const [entry] = await core.store.listDlq({ plugin: p.name }, { limit: 10 });
      assert.equal(entry?.reason, 'expired');
    });

    test('duplicates by idempotencykey within the window reach each plugin once', async () => {
      const a = await core.plugin(scripted('dedup-a'));
      const b = await core.plugin(scripted('dedup-b'));
      core.engine.setPlugins([a, b]);
      const before = core.duplicates.reduce((x, y) => x + y, 0);
      await core.engine.accept([event('test.d', { idempotencykey: 'k-1' })]);
      await core.engine.accept([event('test.d', { idempotencykey: 'k-1' }), event('test.d', { idempotencykey: 'k-2' })]);
      await core.engine.idle();
      assert.equal(core.outcomesFor(a.name).length, 2);
      assert.equal(core.outcomesFor(b.name).length, 2);
      assert.equal(core.duplicates.reduce((x, y) => x + y, 0) - before, 2);
    });

    test('events with one partitionkey reach a plugin one at a time, in order, even across retries; other keys flow', async () => {
      const p = await core.plugin(scripted('ordered'), { retry: { maxRetries: 3, initialDelayMs: 150, multiplier: 1, maxDelayMs: 150 } });
      core.engine.setPlugins([p]);
      const a1 = event('test.o', { partitionkey: 'a', data: { failTimes: 1 } });
      const a2 = event('test.o', { partitionkey: 'a' });
      const a3 = event('test.o', { partitionkey: 'a' });
      const b1 = event('test.o', { partitionkey: 'b' });
      await core.engine.accept([a1, a2, a3, b1]);
      await core.engine.idle();
      const done = core.outcomesFor(p.name).filter((o) => o.settlement.kind === 'done').map((o) => o.eventId);
      const order = done.filter((id) => id !== b1.id);
      assert.deepEqual(order, [a1.id, a2.id, a3.id]);
      assert.ok(done.indexOf(b1.id) < done.indexOf(a1.id), 'key b was not held up by key a');
    });

    test('priority 9 is served first, and low priorities still get through', async () => {
      const p = await core.plugin(scripted('prio'), { concurrency: 1, batchSize: 1 });
      core.engine.setPlugins([p]);
      const blocker = event('test.p', { data: { spinMs: 100 } });
      const lows = Array.from({ length: 5 }, () => event('test.p', { priority: 0 }));
      const highs = Array.from({ length: 5 }, () => event('test.p', { priority: 9 }));
      await core.engine.accept([blocker]);
      await core.engine.accept([...lows, ...highs]);
      await core.engine.idle();
      const order = core.outcomesFor(p.name).map((o) => o.eventId).slice(1);
      assert.deepEqual(new Set(order.slice(0, 5)), new Set(highs.map((e) => e.id)));
      assert.deepEqual(new Set(order.slice(5)), new Set(lows.map((e) => e.id)));
    });

    test('after consecutive failures the circuit opens: the plugin is not fed until the cool-down passes', async () => {
      const p = await core.plugin(scripted('breaker'), { concurrency: 1, batchSize: 1, retry: { maxRetries: 0, initialDelayMs: 1, multiplier: 1, maxDelayMs: 1 }, breaker: { failureThreshold: 2, coolDownMs: 400 } });
      core.engine.setPlugins([p]);
      await core.engine.accept([1, 2, 3].map(() => event('test.b', { data: { always: true } })));
      await core.engine.idle();
      const times = core.outcomesFor(p.name).map((o) => o.at);
      assert.equal(times.length, 3);
      assert.ok((times[2] as number) - (times[1] as number) >= 350, `third attempt came ${(times[2] as number) - (times[1] as number)} ms after the second`);
      assert.equal(await core.store.countDlq({ plugin: p.name }), 3, 'nothing is lost while the circuit is open');
    });

    test('a per-plugin rate limit spaces deliveries out', async () => {
      const p = await core.plugin(scripted('limited'), { rateLimit: { ratePerSecond: 20, burst: 1 } });
      core.engine.setPlugins([p]);
      const started = Date.now();
      await core.engine.accept(Array.from({ length: 8 }, () => event('test.r')));
      await core.engine.idle();
      assert.equal(core.outcomesFor(p.name).length, 8);
      assert.ok(Date.now() - started >= 300, `8 events at 20/s with burst 1 took only ${Date.now() - started} ms`);
    });

    test('per-plugin concurrency bounds the batches in flight', async () => {
      const p = await core.plugin(scripted('concurrent'), { concurrency: 2, batchSize: 1 });
      let inFlight = 0;
      let peak = 0;
      const real = core.sandbox;
      const counted = async (run: () => Promise<RunResult>) => { inFlight++; peak = Math.max(peak, inFlight); try { return await run(); } finally { inFlight--; } };
      const counting = {
        run: (spec: PluginRuntimeSpec, events: readonly unknown[]) => counted(() => real.run(spec, events)),
        runJson: (spec: PluginRuntimeSpec, json: string, count: number) => counted(() => real.runJson(spec, json, count)),
        evict: (key: string) => real.evict(key),
      } as unknown as SandboxPool;
      const engine = new DeliveryEngine({ store: core.store, sandbox: counting, dedupWindowMs: 1000, maxQueued: 1000 });
      engine.setPlugins([p]);
      await engine.accept(Array.from({ length: 10 }, () => event('test.c', { data: { spinMs: 30 } })));
      await engine.idle();
      await engine.stop(1000);
      assert.equal(peak, 2);
    });

    test('a plugin\'s next batch runs while the last one\'s outcome is still being written', async () => {
      const p = await core.plugin(scripted('pipelined'), { concurrency: 1, batchSize: 1 });
      const store = await core.openStore(true);
      // The store's settle waits for a gate: the first outcome stays unwritten until the test opens it.
      const gate = Promise.withResolvers<void>();
      let settles = 0;
      const gated = new Proxy(store, {
        get(target, name) {
          if (name === 'settle') return async (...args: Parameters<Store['settle']>) => { settles++; await gate.promise; return target.settle(...args); };
          const value: unknown = Reflect.get(target, name, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      let runs = 0;
      const real = core.sandbox;
      const counting = {
        run: (spec: PluginRuntimeSpec, events: readonly unknown[]) => { runs++; return real.run(spec, events); },
        runJson: (spec: PluginRuntimeSpec, json: string, count: number) => { runs++; return real.runJson(spec, json, count); },
        evict: (key: string) => real.evict(key),
      } as unknown as SandboxPool;
      const engine = new DeliveryEngine({ store: gated, sandbox: counting, dedupWindowMs: 1000, maxQueued: 1000 });
      engine.setPlugins([p]);
      const settled: string[] = [];
      const piped = [event('test.pipe'), event('test.pipe')];
      await engine.accept(piped, (i) => settled.push((piped[i] as PlexusEvent).id));
      const deadline = Date.now() + 5000;
      while (runs < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.equal(runs, 2, 'the second batch ran before the first one\'s outcome was durable');
      assert.equal(settles, 1, 'one write at a time: the second outcome waits for the first');
      assert.deepEqual(settled, [], 'nothing counts as settled before it is written');
      gate.resolve();
      await engine.idle();
      await engine.stop(1000);
      assert.equal(settled.length, 2);
      assert.deepEqual(await store.pending(), []);
    });

    test('accept waits when the queue is full (backpressure) and resumes as it drains', async () => {
      const engine = core.newEngine({ maxQueued: 3 });
      const p = await core.plugin(scripted('pressure'), { concurrency: 1, batchSize: 1 });
      engine.setPlugins([p]);
      let accepted = 0;
      const accepts = Array.from({ length: 10 }, () => engine.accept([event('test.bp', { data: { spinMs: 20 } })]).then(() => accepted++));
      await new Promise((r) => setTimeout(r, 30));
      assert.ok(accepted < 10, 'some accepts are held back');
      await Promise.all(accepts);
      await engine.idle();
      await engine.stop(1000);
      assert.equal(accepted, 10);
    });

    test('events a plugin emits are delivered to their subscribers with the trace continued, only when the cause succeeded', async () => {
      const producer = await core.plugin(scripted('producer', ['test.#'], { capabilities: { emit: ['chain.#'] } }), {}, ['emit:chain.#']);
      const consumer = await core.plugin(scripted('consumer', ['chain.#']));
      core.engine.setPlugins([producer, consumer]);
      const cause = event('test.e', { data: { emit: 'chain.next' }, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
      const failing = event('test.e', { data: { emit: 'chain.next', permanent: true } });
      await core.engine.accept([cause, failing]);
      await core.engine.idle();
      const received = core.outcomesFor(consumer.name);
      assert.equal(received.length, 1);
      const journal = await core.store.readJournal({ from: 0, type: 'chain.next', limit: 10 });
      assert.equal(journal.length, 1);
      const emitted = journal[0]?.event as PlexusEvent;
      assert.equal(emitted.source, 'plugin/@fixtures/producer');
      assert.deepEqual(emitted.data, { cause: cause.id });
      assert.match(String(emitted.traceparent), /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    });

    test('onSettled fires once every delivery of the event has a durable first outcome', async () => {
      const a = await core.plugin(scripted('settle-a'));
      const b = await core.plugin(scripted('settle-b'), { retry: { maxRetries: 1, initialDelayMs: 5000, multiplier: 1, maxDelayMs: 5000 } });
      core.engine.setPlugins([a, b]);
      const settled: string[] = [];
      const e = event('test.s', { data: { failTimes: 1 } });
      await core.engine.accept([e], () => settled.push(e.id));
      await core.waitFor(() => settled.length === 1);
      // b's first attempt failed and its retry is scheduled 5 s out: that is a durable outcome.
      assert.deepEqual(core.outcomesFor(b.name).map((o) => o.settlement.kind), ['retry']);
      const noSubscriber = event('nobody.listens');
      await core.engine.accept([noSubscriber], () => settled.push(noSubscriber.id));
      assert.deepEqual(settled, [e.id, noSubscriber.id]);
    });

    test('unfinished deliveries survive an engine restart', async () => {
      const p = await core.plugin(scripted('restartable'));
      const store = await core.openStore(true);
      // Concurrency 0: deliveries are created but never run, as if the host died right after accepting.
      const first = core.newEngine({ store });
      first.setPlugins([{ ...p, concurrency: 0 }]);
      const events = [event('test.r'), event('test.r'), event('test.r')];
      await first.accept(events);
      await first.stop(1000);
      const second = core.newEngine({ store });
      second.setPlugins([p]);
      assert.equal(await second.recover(), 3);
      await second.idle();
      await second.stop(1000);
      assert.deepEqual(core.outcomesFor(p.name).map((o) => o.eventId).sort(), events.map((e) => e.id).sort());
      assert.equal((await store.pending()).length, 0);
    });

    test('a retry recovered after a restart keeps its partition key: a later event of the key does not overtake it', async () => {
      const p = await core.plugin(scripted('ordered-restart'), { retry: { maxRetries: 3, initialDelayMs: 400, multiplier: 1, maxDelayMs: 400 } });
      const store = await core.openStore(true);
      // Backoff has full jitter (backoff.ts): with Math.random a1's retry could be due at once, run and be done
      // before the stop (seen in CI dry runs: outcomes "a1:retry a1:done", only a2 left to recover). Its full 400 ms here.
      const first = core.newEngine({ store, random: () => 0.999 });
      first.setPlugins([p]);
      const a1 = event('test.or', { partitionkey: 'k', data: { failTimes: 1 } });
      const a2 = event('test.or', { partitionkey: 'k' });
      await first.accept([a1, a2]);
      await core.waitFor(() => core.outcomesFor(p.name).some((o) => o.eventId === a1.id && o.settlement.kind === 'retry'));
      await first.stop(1000);
      assert.equal(core.outcomesFor(p.name).filter((o) => o.eventId === a2.id).length, 0, 'a2 waited behind a1 before the restart');
      // After the restart a1 is not due for ~400 ms, a2 is due at once: a2 must still wait for a1.
      const second = core.newEngine({ store });
      second.setPlugins([p]);
      // What the store holds and what ran, named, should this fail.
      const name = (id: string) => (id === a1.id ? 'a1' : id === a2.id ? 'a2' : id);
      const held = (await store.pending()).map((d) => `${name(d.event.id)}#${d.attempt}`);
      const ran = core.outcomesFor(p.name).map((o) => `${name(o.eventId)}:${o.settlement.kind}`);
      assert.equal(await second.recover(), 2, `pending before recover: ${held.join(' ')}; outcomes: ${ran.join(' ')}`);
      await second.idle();
      await second.stop(1000);
      const done = core.outcomesFor(p.name).filter((o) => o.settlement.kind === 'done').map((o) => o.eventId);
      assert.deepEqual(done, [a1.id, a2.id]);
    });

    test('deliveries of a plugin that is not active wait for it instead of being dropped', async () => {
      const p = await core.plugin(scripted('returning'));
      const engine = core.newEngine();
      engine.setPlugins([{ ...p, concurrency: 0 }]);
      await engine.accept([event('test.w')]);
      engine.setPlugins([]);
      assert.equal((await core.store.pending()).filter((d) => d.plugin === p.name).length, 1);
      engine.setPlugins([p]);
      await engine.idle();
      await engine.stop(1000);
      assert.equal(core.outcomesFor(p.name).length, 1);
    });

    test('dead letters can be replayed, and journaled events re-delivered from a point in time', async () => {
      const p = await core.plugin(scripted('replayed'));
      core.engine.setPlugins([p]);
      const since = Date.now();
      await core.engine.accept([event('test.rp', { data: { permanent: true } }), event('test.rp')]);
      await core.engine.idle();
      const dead = await core.store.listDlq({ plugin: p.name }, { limit: 10 });
      assert.equal(dead.length, 1);
      const replayed = await core.store.replayDlq({ plugin: p.name }, Date.now());
      core.engine.requeue(replayed);
      await core.engine.idle();
      assert.equal(await core.store.countDlq({ plugin: p.name }), 1, 'a permanent failure fails again, back in the DLQ');
      const count = core.outcomesFor(p.name).length;
      const redelivered = await core.engine.redeliver(await core.store.readJournal({ from: since, type: 'test.rp', limit: 100 }));
      await core.engine.idle();
      assert.equal(redelivered, 2);
      assert.equal(core.outcomesFor(p.name).length, count + 2);
    });
  });
}
