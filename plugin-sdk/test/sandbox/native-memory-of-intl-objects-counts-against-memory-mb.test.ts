import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { plugin } from '../fixtures/write-plugin.ts';
import { SandboxFixture } from './sandbox-fixture.ts';

// Intl objects keep ICU state outside the V8 heap: uncharged, a plugin with
// memoryMb 32 held gigabytes of the sandbox process by keeping them.
const sandbox = new SandboxFixture();
before(() => sandbox.start());
after(() => sandbox.stop());

const rssMb = async (): Promise<number> => (await sandbox.pool.stats()).rssBytes / (1024 * 1024);

const hoards: [string, string][] = [
  ['kept Intl.DateTimeFormats', "const keep = []; for (let i = 0; i < 40000; i++) keep.push(new Intl.DateTimeFormat('en', { timeZone: 'UTC', hour: 'numeric' }));"],
  ['DateTimeFormats made through the prototype constructor', "const keep = []; const C = Intl.DateTimeFormat.prototype.constructor; for (let i = 0; i < 40000; i++) keep.push(C('en', { timeZone: 'UTC', hour: 'numeric' }));"],
  ['kept segments of a long text', "const keep = []; const s = 'ab'.repeat(2_000_000); const seg = new Intl.Segmenter('en'); for (let i = 0; i < 60; i++) { const it = seg.segment(s); it.containing(0); keep.push(it); }"],
  ['kept segment iterators of a long text', "const keep = []; const segs = new Intl.Segmenter('en').segment('ab'.repeat(2_000_000)); for (let i = 0; i < 60; i++) { const it = segs[Symbol.iterator](); it.next(); keep.push(it); }"],
];

for (const [what, body] of hoards) {
  test(`${what} run out of memoryMb, not out of sandbox memory nobody is charged for`, async () => {
    const spec = await sandbox.spec({ name: 'intl-hoard', limits: { memoryMb: 32, timeoutMs: 20_000 }, source: plugin(body) });
    const before = await rssMb();
    const outcome = (await sandbox.run(spec)).outcomes[0];
    assert.equal(outcome?.ok, false, JSON.stringify(outcome));
    // Like any ArrayBuffer over the limit (runaway-plugins-end-in-coded-outcomes.test.ts).
    assert.match(!outcome?.ok ? String(outcome?.error.code) + outcome?.error.message : '', /PLEXUS_OUT_OF_MEMORY|allocation failed/i);
    const grown = (await rssMb()) - before;
    assert.ok(grown < 250, `the sandbox grew by ${Math.round(grown)} MB`);
  });
}

test('Intl still works as before for a plugin that uses it normally', async () => {
  const body = `
    const nf = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' });
    class Short extends Intl.DateTimeFormat { constructor() { super('en', { timeZone: 'UTC', year: 'numeric' }); } }
    const short = new Short();
    const words = [...new Intl.Segmenter('en', { granularity: 'word' }).segment('hello big world')].filter((s) => s.isWordLike).map((s) => s.segment);
    for (let i = 0; i < 2000; i++) new Intl.Collator('de').compare('a', 'b');
    ctx.log.info(JSON.stringify({
      money: nf.format(1234.5),
      year: short.format(new Date(0)),
      words,
      instance: nf instanceof Intl.NumberFormat && short instanceof Intl.DateTimeFormat && short instanceof Short,
      ctor: Intl.DateTimeFormat.prototype.constructor === Intl.DateTimeFormat,
      called: Intl.NumberFormat('en').format(1e6),
      names: [Intl.DateTimeFormat.name, Intl.Segmenter.prototype.segment.name, Intl.NumberFormat.length],
      locales: Intl.Collator.supportedLocalesOf(['de']),
      date: new Date(0).toLocaleDateString('en-US', { timeZone: 'UTC' }),
    }));`;
  const spec = await sandbox.spec({ name: 'intl-user', limits: { memoryMb: 32 }, source: plugin(body) });
  const result = await sandbox.run(spec);
  const outcome = result.outcomes[0];
  assert.ok(outcome?.ok, JSON.stringify(outcome));
  assert.deepEqual(JSON.parse(outcome.logs[0]?.message ?? 'null'), {
    money: '€1,234.50',
    year: '1970',
    words: ['hello', 'big', 'world'],
    instance: true,
    ctor: true,
    called: '1,000,000',
    names: ['DateTimeFormat', 'segment', 0],
    locales: ['de'],
    date: '1/1/1970',
  });
});
