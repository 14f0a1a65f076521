// CONTRACT §5 `partitionkey`, seen from inside real sandboxed plugins on both
// stores: the plugin itself records (in its kv) when each event of a key
// starts and ends, so an overlap or a reordering is caught where it would
// happen, not inferred from the host's settlements. Covers a retry waiting for
// its backoff, a dead letter handing the key on, a batch holding several keys,
// an upgrade while an event of the key runs on the old version, an expiry
// behind the key, and two plugins sharing a key (independent by design).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoreFixture, STORE_KINDS, event } from './core-fixture.ts';
import type { FixturePlugin } from '../../plugin-sdk/test/fixtures/write-plugin.ts';

/**
 * Per key: `active:<k>` counts events running now (an overlap bumps `overlaps:<k>`),
 * `n:<k>` numbers the starts, and `start:<k>:<n>` names what started n-th ("name/attempt").
 * `waitMs` keeps the event running (awaiting kv calls, so the isolate is free meanwhile);
 * `failTimes` fails its first attempts, `always` every attempt.
 */
const recorder = (name: string, tag: string): FixturePlugin => ({
  name,
  subscribe: ['pk.#'],
  capabilities: { kv: true },
  source: `import { definePlugin } from '@plexus/plugin-sdk';
export default definePlugin({ async execute(event, ctx) {
  const d = event.data ?? {};
  const k = event.partitionkey ?? '-';
  if ((await ctx.kv.incr('active:' + k, 1)) > 1) await ctx.kv.incr('overlaps:' + k, 1);
  const attempt = await ctx.kv.incr('attempt:' + event.id, 1);
  const n = await ctx.kv.incr('n:' + k, 1);
  await ctx.kv.set('start:' + k + ':' + n, d.name + '/' + attempt + '${tag}');
  try {
    const end = Date.now() + (d.waitMs ?? 0);
    while (Date.now() < end) await ctx.kv.get('tick');
    if (d.always || (d.failTimes && attempt <= d.failTimes)) throw new Error('fails on attempt ' + attempt);
  } finally {
    await ctx.kv.incr('active:' + k, -1);
  }
} });`,
});

for (const kind of STORE_KINDS) {
  const up = await CoreFixture.available(kind);
  describe(`partition keys in the sandbox on the ${kind} store`, { skip: up ? false : 'Redis is not reachable' }, () => {
    const core = new CoreFixture(kind);
    // Retry delays at their ceiling: backoff has full jitter, and the expiry and two-plugin tests time
    // events against a retry's delay (a jittered 300 ms retry came after 20 ms in a loaded CI run).
    before(() => core.start({ random: () => 0.999 }));
    after(() => core.stop());

    /** The value a plugin's kv holds (stored as JSON text), or null. */
    const kv = async (plugin: string, key: string): Promise<unknown> => {
      const text = await core.store.kvGet(plugin, key, Date.now());
      return text === null ? null : (JSON.parse(text) as unknown);
    };
    /** What started for key `k`, in start order, and how many starts overlapped another. */
    const starts = async (plugin: string, k: string): Promise<{ order: string[]; overlaps: number }> => {
      const n = Number((await kv(plugin, `n:${k}`)) ?? 0);
      const order: string[] = [];
      for (let i = 1; i <= n; i++) order.push(String(await kv(plugin, `start:${k}:${i}`)));
      return { order, overlaps: Number((await kv(plugin, `overlaps:${k}`)) ?? 0) };
    };
    const named = (name: string, k: string, data: Record<string, unknown> = {}, extra = {}) => event('pk.e', { partitionkey: k, data: { name, ...data }, ...extra });

    test('a later event of the key waits for every retry of the earlier one, and runs once it is dead-lettered', async () => {
      const p = await core.plugin(recorder('pk-retry', ''), { concurrency: 4, batchSize: 8, retry: { maxRetries: 2, initialDelayMs: 120, multiplier: 1, maxDelayMs: 120 } });
      core.engine.setPlugins([p]);
      await core.engine.accept([named('K1', 'K', { always: true }), named('K2', 'K', { waitMs: 30 })]);
      await core.engine.accept([named('K3', 'K'), named('J1', 'J')]);
      await core.engine.idle();
      assert.deepEqual(await starts(p.spec.name, 'K'), { order: ['K1/1', 'K1/2', 'K1/3', 'K2/1', 'K3/1'], overlaps: 0 });
      assert.equal(await core.store.countDlq({ plugin: p.name }), 1);
      const done = core.outcomesFor(p.name).map((o) => o.eventId);
      assert.ok(done.length === 6, `six outcomes, got ${done.length}`);
    });

    test('deliveries of several keys in one batch: each key in order, none overlapping, a failure holding its key only', async () => {
      const p = await core.plugin(recorder('pk-batch', ''), { concurrency: 2, batchSize: 16, retry: { maxRetries: 3, initialDelayMs: 80, multiplier: 1, maxDelayMs: 80 } });
      core.engine.setPlugins([p]);
      const events = [];
      for (let i = 1; i <= 4; i++) for (const k of ['A', 'B', 'C']) events.push(named(`${k}${i}`, k, k === 'A' && i === 1 ? { failTimes: 2 } : { waitMs: 5 }));
      await core.engine.accept(events);
      await core.engine.idle();
      assert.deepEqual(await starts(p.spec.name, 'A'), { order: ['A1/1', 'A1/2', 'A1/3', 'A2/1', 'A3/1', 'A4/1'], overlaps: 0 });
      for (const k of ['B', 'C']) assert.deepEqual(await starts(p.spec.name, k), { order: [1, 2, 3, 4].map((i) => `${k}${i}/1`), overlaps: 0 });
    });

    test('an upgrade while an event of the key runs on the old version: the new version starts the next one only after it', async () => {
      const v1 = await core.plugin(recorder('pk-upgrade', '@1'), { concurrency: 4, batchSize: 1 });
      const v2root = await core.plugin(recorder('pk-upgrade', '@2'), { concurrency: 4, batchSize: 1 });
      const v2 = { ...v2root, spec: { ...v2root.spec, key: `${v2root.spec.name}@2.0.0`, version: '2.0.0' } };
      core.engine.setPlugins([v1]);
      await core.engine.accept([named('U1', 'U', { waitMs: 400 })]);
      await core.waitFor(async () => Number(await kv(v1.spec.name, 'active:U')) === 1);
      core.engine.setPlugins([v2]);
      await core.engine.accept([named('U2', 'U'), named('U3', 'U')]);
      await core.engine.idle();
      assert.deepEqual(await starts(v1.spec.name, 'U'), { order: ['U1/1@1', 'U2/1@2', 'U3/1@2'], overlaps: 0 });
    });

    test('an event that expires behind its key is dead-lettered without running; the key then passes on in order', async () => {
      const p = await core.plugin(recorder('pk-expiry', ''), { concurrency: 2, batchSize: 4, retry: { maxRetries: 1, initialDelayMs: 300, multiplier: 1, maxDelayMs: 300 } });
      core.engine.setPlugins([p]);
      await core.engine.accept([
        named('E1', 'E', { failTimes: 1 }),
        named('E2', 'E', {}, { expiresat: new Date(Date.now() + 150).toISOString() }),
        named('E3', 'E'),
      ]);
      await core.engine.idle();
      assert.deepEqual(await starts(p.spec.name, 'E'), { order: ['E1/1', 'E1/2', 'E3/1'], overlaps: 0 });
      const [entry] = await core.store.listDlq({ plugin: p.name }, { limit: 10 });
      assert.equal(entry?.reason, 'expired');
    });

    test('two plugins sharing a key are independent: one retrying does not hold the other back', async () => {
      // pk-one retries after 2 s: far enough that a loaded machine (a CI run) still has pk-two done first.
      const slow = await core.plugin(recorder('pk-one', ''), { retry: { maxRetries: 1, initialDelayMs: 2000, multiplier: 1, maxDelayMs: 2000 } });
      const fast = await core.plugin(recorder('pk-two', ''));
      core.engine.setPlugins([slow, fast]);
      await core.engine.accept([named('S1', 'S', { failTimes: 1 }), named('S2', 'S')]);
      // pk-two retries after 20 ms, pk-one after 2 s: pk-two is done with S2 while pk-one still waits to retry S1.
      await core.waitFor(async () => (await starts(fast.spec.name, 'S')).order.includes('S2/1'), 1800);
      assert.deepEqual((await starts(slow.spec.name, 'S')).order, ['S1/1']);
      await core.engine.idle();
      assert.deepEqual(await starts(fast.spec.name, 'S'), { order: ['S1/1', 'S1/2', 'S2/1'], overlaps: 0 });
      assert.deepEqual(await starts(slow.spec.name, 'S'), { order: ['S1/1', 'S1/2', 'S2/1'], overlaps: 0 });
    });
  });
}
