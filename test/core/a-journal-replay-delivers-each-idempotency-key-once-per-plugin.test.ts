// A journal replay (POST /v1/replay) re-delivers what was accepted, without
// the dedup claims of the first delivery (the operator asked for it). But the
// journal holds every copy of an event the sender sent twice under one
// idempotencykey, including the copies dedup suppressed: a replay of the
// window must still deliver that key once per plugin (CONTRACT §5), not once
// per copy. Checked against both stores.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoreFixture, STORE_KINDS, event, scripted } from './core-fixture.ts';

for (const kind of STORE_KINDS) {
  const up = await CoreFixture.available(kind);
  describe(`journal replay on the ${kind} store`, { skip: up ? false : `start Redis on 127.0.0.1:6379 to run the ${kind} store tests` }, () => {
    const core = new CoreFixture(kind);
    before(() => core.start());
    after(() => core.stop());

    test('copies of one key in the replayed window reach each plugin once; events without a key all do', async () => {
      const a = await core.plugin(scripted('replay-key-a'));
      const b = await core.plugin(scripted('replay-key-b'));
      core.engine.setPlugins([a, b]);
      const since = Date.now();
      const first = event('test.rk', { idempotencykey: 'order-7' });
      await core.engine.accept([first]);
      await core.engine.accept([event('test.rk', { idempotencykey: 'order-7' }), event('test.rk'), event('test.rk')]);
      await core.engine.idle();
      assert.equal(core.outcomesFor(a.name).length, 3, 'the second copy was suppressed when it arrived');
      const replayed = await core.engine.redeliver(await core.store.readJournal({ from: since, type: 'test.rk', limit: 100 }));
      await core.engine.idle();
      assert.equal(replayed, 6, 'two plugins × (one copy of the key + two events without one)');
      for (const p of [a, b]) {
        const keyed = core.outcomesFor(p.name).filter((o) => o.eventId === first.id);
        assert.equal(keyed.length, 2, `${p.name}: the key's first copy, once at ingress and once in the replay`);
        assert.equal(core.outcomesFor(p.name).length, 6, `${p.name}: 3 at ingress, 3 in the replay`);
      }
    });

    test('a key seen on an earlier page of the same replay is not delivered again', async () => {
      const p = await core.plugin(scripted('replay-pages'));
      core.engine.setPlugins([p]);
      const since = Date.now();
      await core.engine.accept([event('test.pg', { idempotencykey: 'paged' })]);
      await core.engine.accept([event('test.pg', { idempotencykey: 'paged' })]);
      await core.engine.idle();
      const journal = await core.store.readJournal({ from: since, type: 'test.pg', limit: 100 });
      assert.equal(journal.length, 2);
      const claims = new Map<string, number>();
      const counted = (await core.engine.redeliver(journal.slice(0, 1), claims)) + (await core.engine.redeliver(journal.slice(1), claims));
      await core.engine.idle();
      assert.equal(counted, 1);
      assert.equal(core.outcomesFor(p.name).length, 2);
    });
  });
}
