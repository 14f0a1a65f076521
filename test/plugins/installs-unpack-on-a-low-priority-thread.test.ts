// Installs fetch, check and unpack packages on a thread of their own at the
// lowest priority (src/plugins/unpack-worker.ts), not on the event loop that
// serves events: same results and the same refusals as unpacking in place,
// the host's own thread keeps its priority, a thread that ends is replaced
// by the next install, and shutting down fails an unfinished install
// instead of leaving it hanging.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PlexusError } from '@plexus/plugin-sdk';
import { canReadThreadNices, threadNicesById } from '../../plugin-sdk/test/fixtures/thread-nices.ts';
import { unpackPlugin } from '../../src/plugins/plugin-installer.ts';
import { UnpackWorker } from '../../src/plugins/unpack-worker.ts';
import { packPlugin, writePluginFolder } from './plugin-packages.ts';

const HOST_API = '1.0.0';
let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'plexus-unpack-worker-'));
});
after(() => rm(work, { recursive: true, force: true }));

const threadNices = () => threadNicesById(process.pid);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a package unpacked on the thread lands as it would in place, and only that thread runs at nice 19', { skip: !canReadThreadNices && 'thread priorities are read from Linux /proc' }, async () => {
  const stateDir = join(work, 'state-a');
  await mkdir(stateDir);
  const tgz = await packPlugin(work, { name: '@acme/unpacked', version: '1.2.3' });
  const before = threadNices();
  const mainNice = before.get(process.pid);
  assert.ok(![...before.values()].includes(19), 'no thread of this process runs at nice 19 before');
  const worker = new UnpackWorker({ idleMs: 100 });
  try {
    const unpacked = await worker.unpack(tgz, { stateDir, registry: 'http://127.0.0.1:9/', hostApiVersion: HOST_API, recorded: new Map() });
    assert.equal(unpacked.pkg.name, '@acme/unpacked');
    assert.equal(unpacked.root, 'plugins/@acme/unpacked/1.2.3');
    assert.match(unpacked.integrity, /^sha512-/);
    assert.equal(unpacked.source, tgz);
    assert.match(await readFile(join(stateDir, unpacked.root, 'dist/plugin.js'), 'utf8'), /definePlugin/);

    const during = threadNices();
    const lowered = [...during].filter(([, nice]) => nice === 19).map(([tid]) => tid);
    assert.equal(lowered.length, 1, `exactly one thread (the unpack thread) at nice 19: ${JSON.stringify([...during])}`);
    assert.equal(during.get(process.pid), mainNice, 'the host thread keeps its priority');
    for (const [tid, nice] of before) if (during.has(tid)) assert.equal(during.get(tid), nice, `thread ${tid} keeps its priority`);

    // Idle past idleMs: the thread ends, and the next install starts another.
    for (let waited = 0; [...threadNices().values()].includes(19) && waited < 5000; waited += 50) await sleep(50);
    assert.ok(![...threadNices().values()].includes(19), 'the idle unpack thread has ended');
    const again = await worker.unpack(tgz, { stateDir: join(work, 'state-a2'), registry: 'http://127.0.0.1:9/', hostApiVersion: HOST_API, recorded: new Map() });
    assert.equal(again.integrity, unpacked.integrity);
  } finally {
    await worker.close();
  }
});

test('start() brings the thread up at nice 19 before any install asks for it', { skip: !canReadThreadNices && 'thread priorities are read from Linux /proc' }, async () => {
  assert.ok(![...threadNices().values()].includes(19), 'no thread of this process runs at nice 19 before');
  const worker = new UnpackWorker();
  try {
    worker.start();
    let lowered = 0;
    for (let waited = 0; lowered === 0 && waited < 5000; waited += 20) {
      await sleep(20);
      lowered = [...threadNices().values()].filter((nice) => nice === 19).length;
    }
    assert.equal(lowered, 1, 'the unpack thread is up, at the lowest priority, with no install yet');
  } finally {
    await worker.close();
  }
});

test('a refusal crosses back with the code, message and details unpacking in place gives', async () => {
  const stateDir = join(work, 'state-b');
  await mkdir(stateDir);
  // An API range this host does not satisfy: refused before anything is written.
  const folder = await writePluginFolder(work, { name: '@acme/too-new', version: '2.0.0', apiVersion: '^2.0.0' });
  const options = { stateDir, registry: 'http://127.0.0.1:9/', hostApiVersion: HOST_API, recorded: new Map<string, string>() };
  const inPlace = await unpackPlugin(folder, options).then(
    () => assert.fail('unpacking in place accepted it'),
    (err: unknown) => err as PlexusError,
  );
  const worker = new UnpackWorker();
  try {
    await assert.rejects(worker.unpack(folder, options), (err: unknown) => {
      assert.ok(err instanceof PlexusError, `a PlexusError, not ${String(err)}`);
      assert.equal(err.code, inPlace.code);
      assert.equal(err.message, inPlace.message);
      // The admin API answers a 4xx with them.
      assert.deepEqual(err.details, inPlace.details);
      return true;
    });
    assert.equal(inPlace.code, 'PLEXUS_INCOMPATIBLE_API');
    assert.deepEqual(inPlace.details, { plugin: '@acme/too-new', apiVersion: '^2.0.0', hostApiVersion: HOST_API });
  } finally {
    await worker.close();
  }
});

test('shutting down fails an install still waiting on its registry with PLEXUS_UNAVAILABLE', async () => {
  // A registry that accepts connections and never answers.
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  const worker = new UnpackWorker();
  try {
    const pending = worker.unpack('@acme/never@1.0.0', { stateDir: join(work, 'state-c'), registry: `http://127.0.0.1:${port}/`, hostApiVersion: HOST_API, recorded: new Map() });
    while (sockets.length === 0) await sleep(10);
    await worker.close();
    await assert.rejects(pending, (err: unknown) => err instanceof PlexusError && err.code === 'PLEXUS_UNAVAILABLE');
    await assert.rejects(worker.unpack('@acme/never@1.0.0', { stateDir: work, registry: `http://127.0.0.1:${port}/`, hostApiVersion: HOST_API, recorded: new Map() }), (err: unknown) => err instanceof PlexusError && err.code === 'PLEXUS_UNAVAILABLE');
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});

test('a registry that drips bytes cannot hold an install past its deadline; the next install gets a new thread', async () => {
  // Answers with headers and one byte a second: pacote's idle timeout never fires.
  const sockets: Socket[] = [];
  const drip = createServer((socket) => {
    sockets.push(socket);
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{');
      const timer = setInterval(() => socket.write(' '), 1000);
      socket.on('close', () => clearInterval(timer));
    });
  });
  await new Promise<void>((resolve) => drip.listen(0, '127.0.0.1', resolve));
  const port = (drip.address() as { port: number }).port;
  const worker = new UnpackWorker({ deadlineMs: 1500 });
  try {
    const started = Date.now();
    await assert.rejects(
      worker.unpack('@acme/dripping@1.0.0', { stateDir: join(work, 'state-drip'), registry: `http://127.0.0.1:${port}/`, hostApiVersion: HOST_API, recorded: new Map() }),
      (err: unknown) => err instanceof PlexusError && err.code === 'PLEXUS_UNAVAILABLE' && /longer than 2 s/.test(err.message),
    );
    // The deadline counts from when the thread takes the install (starting it is not the registry's time): under 1 s of dripping would never end.
    assert.ok(Date.now() - started < 30_000, `gave up after ${Date.now() - started} ms`);
    const stateDir = join(work, 'state-after-drip');
    await mkdir(stateDir);
    const unpacked = await worker.unpack(await packPlugin(work, { name: '@acme/after-drip', version: '1.0.0' }), { stateDir, registry: 'http://127.0.0.1:9/', hostApiVersion: HOST_API, recorded: new Map() });
    assert.equal(unpacked.pkg.name, '@acme/after-drip');
  } finally {
    await worker.close();
    for (const socket of sockets) socket.destroy();
    drip.close();
  }
});
