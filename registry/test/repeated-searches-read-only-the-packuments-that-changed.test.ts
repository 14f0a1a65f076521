// Search, the catalog and the user lookup read every stored packument
// (PackageStore.readAll). They keep the parsed documents between requests and
// re-read only a file that changed since: with thousands of packages, each
// search used to read and parse thousands of files. Reads are counted through
// the store's injectable reader; stat and readdir are not reads of a packument.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { emptyPackument, withVersion, type Packument } from '../src/packument.ts';
import { PackageStore } from '../src/storage.ts';

const PACKAGES = 40;
const AT = new Date('2026-01-01T00:00:00.000Z');

function packument(name: string, description: string): Packument {
  const manifest = { name, version: '1.0.0', description, dist: { integrity: 'sha512-x', shasum: 'x' } };
  return withVersion(emptyPackument(name, AT), manifest, ['latest'], 'p', AT);
}

describe('reading every packument again', () => {
  let root: string;
  let store: PackageStore;
  const reads: string[] = [];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'plexus-cache-'));
    store = new PackageStore(root, {
      readText: (path) => {
        reads.push(path);
        return readFile(path, 'utf8');
      },
    });
    for (let i = 0; i < PACKAGES; i++) await store.writePackument(packument(`pkg-${String(i).padStart(3, '0')}`, 'first'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('reads each packument once over repeated requests while none changes', async () => {
    reads.length = 0;
    assert.equal((await store.readAll()).length, PACKAGES);
    assert.equal(reads.length, PACKAGES);
    for (let i = 0; i < 3; i++) assert.equal((await store.readAll()).length, PACKAGES);
    assert.equal(reads.length, PACKAGES, 'unchanged packuments were read again');
  });

  it("reads again only the packument the registry itself wrote, and answers its new content", async () => {
    await store.readAll();
    reads.length = 0;
    await store.writePackument(packument('pkg-007', 'second'));
    const docs = await store.readAll();
    assert.equal(docs.find((d) => d.name === 'pkg-007')?.description, 'second');
    assert.deepEqual(reads.map((path) => path.includes('pkg-007')), [true]);
  });

  it('a reader that changes a document it was given cannot change what later readers get', async () => {
    const [first] = await store.readAll();
    try {
      (first as Packument).description = 'changed by a reader';
      (first as Packument).maintainers.push({ name: 'intruder', email: '' });
      (first as Packument)['dist-tags'].latest = '9.9.9';
    } catch {
      // a frozen document refuses the change: that is one way to keep later answers right
    }
    const [again] = await store.readAll();
    assert.equal(again?.description, 'first');
    assert.deepEqual(again?.maintainers.map((m) => m.name), ['p']);
    assert.equal(again?.['dist-tags'].latest, '1.0.0');
  });
});

// A file's stat can fail to tell two versions apart: timestamps tick in
// milliseconds on many file systems and a freed inode is soon given out again,
// so two quick same-size rewrites may stat the same. The registry's own writes
// must show anyway, also to a read that was under way when the write landed.
describe("the registry's own writes, where the file's stat cannot tell versions apart", () => {
  let root: string;
  let store: PackageStore;
  let hold: Promise<void> | undefined;
  let reached: (() => void) | undefined;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'plexus-cache-'));
    store = new PackageStore(root, {
      stamp: () => Promise.resolve('alike'),
      readText: async (path) => {
        const text = await readFile(path, 'utf8');
        if (hold !== undefined) {
          reached?.();
          await hold;
        }
        return text;
      },
    });
    await store.writePackument(packument('only', 'first'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('the next read answers what was written', async () => {
    assert.equal((await store.readAll())[0]?.description, 'first');
    await store.writePackument(packument('only', 'secnd'));
    assert.equal((await store.readAll())[0]?.description, 'secnd');
  });

  it('a read that read the old file before a write landed does not keep it for later reads', async () => {
    await store.writePackument(packument('only', 'third'));
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    const readerReached = new Promise<void>((resolve) => (reached = resolve));
    const slow = store.readAll();
    await Promise.race([readerReached, slow.then(() => assert.fail('readAll read nothing: no read was under way'))]);
    hold = undefined;
    await store.writePackument(packument('only', 'forth'));
    release();
    assert.equal((await slow)[0]?.description, 'third');
    assert.equal((await store.readAll())[0]?.description, 'forth');
  });
});
