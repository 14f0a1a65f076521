// A URL setting the clients cannot read used to pass loading and fail `plexus start` with a
// bare "Invalid URL" (or "URI malformed"): no setting named, no code. Each is now refused at
// load, naming its path and what is wrong, never the value (its userinfo may hold a password).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { assertInvalidConfig, withTempDir, writeConfig } from './config-fixture.ts';

const PASSWORD = 'hunter2FakePassw0rd';

/** The YAML that sets one URL setting, by its path. */
const SETTINGS: [string, (url: string) => string][] = [
  ['store.url', (url) => `store: { kind: redis, url: ${JSON.stringify(url)} }`],
  ['brokers.amqp.orders.url', (url) => `brokers: { amqp: { orders: { url: ${JSON.stringify(url)}, queues: [{ name: q }] } } }`],
  ['brokers.redis.events.url', (url) => `brokers: { redis: { events: { url: ${JSON.stringify(url)}, streams: [{ key: s }] } } }`],
];

const SCHEME = (path: string) => (path.includes('amqp') ? 'amqp' : 'redis');

/** [what is wrong, the URL for a setting of that scheme, the words of the refusal]. */
const BAD: [string, (scheme: string) => string, (scheme: string) => string][] = [
  ['a port out of range', (s) => `${s}://user:${PASSWORD}@localhost:99999`, () => 'is not a URL'],
  ['a space in the host', (s) => `${s}://user:${PASSWORD}@local host:1`, () => 'is not a URL'],
  ['an unclosed IPv6 bracket', (s) => `${s}://user:${PASSWORD}@[::1:1`, () => 'is not a URL'],
  ['the wrong scheme', () => `http://user:${PASSWORD}@localhost:1`, (s) => `scheme must be ${s}: or ${s}s:`],
  ['the other kind of broker', (s) => `${s === 'amqp' ? 'redis' : 'amqp'}://user:${PASSWORD}@localhost:1`, (s) => `scheme must be ${s}: or ${s}s:`],
  ['no host', (s) => `${s}:///0`, () => 'has no host'],
  ['a password that is not valid percent-encoding', (s) => `${s}://user:${PASSWORD}%E0%A4%A@localhost:1`, () => 'has a user name or password that is not valid percent-encoding'],
];

test('each URL setting that does not parse, or has the wrong scheme, is PLEXUS_INVALID_CONFIG naming its path, never the value', async () => {
  await withTempDir(async (dir) => {
    for (const [path, yaml] of SETTINGS) {
      for (const [i, [what, url, words]] of BAD.entries()) {
        const file = await writeConfig(dir, `${path}-${i}.yaml`, yaml(url(SCHEME(path))));
        const err = await assertInvalidConfig(loadConfig({ file, env: {} }), `${path} ${words(SCHEME(path))}`);
        assert.ok(!err.message.includes(PASSWORD), `${path}, ${what}: ${err.message}`);
        assert.ok(!JSON.stringify(err.details).includes(PASSWORD), `${path}, ${what}: details`);
      }
    }
  });
});

test('a Redis URL whose path is not a database number is refused', async () => {
  await withTempDir(async (dir) => {
    for (const [path, yaml] of SETTINGS.filter(([p]) => SCHEME(p) === 'redis')) {
      const file = await writeConfig(dir, `${path}-db.yaml`, yaml(`redis://:${PASSWORD}@cache:6379/zero`));
      const err = await assertInvalidConfig(loadConfig({ file, env: {} }), `${path} path must be a database number`);
      assert.ok(!err.message.includes(PASSWORD), err.message);
    }
  });
});

test('a URL from an env reference is checked the same way and not echoed', async () => {
  await withTempDir(async (dir) => {
    const file = await writeConfig(dir, 'env.yaml', 'store: { kind: redis, url: "${REDIS_URL}" }');
    const err = await assertInvalidConfig(loadConfig({ file, env: { REDIS_URL: `redis://u:${PASSWORD}@host:70000` } }), 'store.url is not a URL');
    assert.ok(!err.message.includes(PASSWORD), err.message);
  });
});

test('valid URLs still load, as written', async () => {
  await withTempDir(async (dir) => {
    const urls = {
      store: `rediss://:${encodeURIComponent('p@ss/w:rd')}@[::1]:6380/2`,
      amqp: 'amqps://user:pw%25x@rabbit.internal:5671/%2f',
      redis: 'redis://redis.internal:6379/',
    };
    const file = await writeConfig(dir, 'ok.yaml', [
      `store: { kind: redis, url: ${JSON.stringify(urls.store)} }`,
      `brokers: { amqp: { orders: { url: ${JSON.stringify(urls.amqp)}, queues: [{ name: q }] } }, redis: { events: { url: ${JSON.stringify(urls.redis)}, streams: [{ key: s }] } } }`,
    ].join('\n'));
    const { host } = await loadConfig({ file, env: {} });
    assert.deepEqual(host.store, { kind: 'redis', url: urls.store, prefix: 'plexus:' });
    assert.equal(host.brokers?.amqp[0]?.url, urls.amqp);
    assert.equal(host.brokers?.redis[0]?.url, urls.redis);
  });
});
