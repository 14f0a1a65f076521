// A delivery that failed, waited for its retry and then expired before it
// could run again (behind an open circuit here) is dead-lettered as
// `expired` with the error of its last attempt: DLQ entries keep the last
// error (CONTRACT §6), whatever ended the delivery.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CoreFixture, event, scripted } from './core-fixture.ts';

const core = new CoreFixture('sqlite');
before(() => core.start());
after(() => core.stop());

test('an expired delivery that had failed keeps its last error in the DLQ', { timeout: 30_000 }, async () => {
  const plugin = await core.plugin(scripted('expires-after-failing'), {
    retry: { maxRetries: 3, initialDelayMs: 50, multiplier: 1, maxDelayMs: 50 },
    breaker: { failureThreshold: 1, coolDownMs: 1500 },
  });
  core.engine.setPlugins([plugin]);
  await core.engine.accept([event('test.expiring', { data: { always: true }, expiresat: new Date(Date.now() + 600).toISOString() })]);
  await core.engine.idle();
  const [entry] = await core.store.listDlq({ plugin: plugin.name }, { limit: 10 });
  assert.equal(entry?.reason, 'expired');
  assert.equal(entry?.attempts, 1);
  assert.match(entry?.error?.message ?? '', /always fails/);
});
