import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test, type TestContext } from 'node:test';
import { createTestHost, type TestHost } from '@plexus/plugin-sdk/testing';
import { API_KEY, rateService } from './rate-service.ts';

const service = rateService({ 'USD->EUR': 0.9, 'USD->GBP': 0.8 });
const pluginDir = fileURLToPath(new URL('..', import.meta.url));

/** A test host with every capability the plugin asks for granted, unless told otherwise. */
async function hostFor(t: TestContext, options: { grants?: string[]; secret?: string; config?: object } = {}): Promise<TestHost> {
  const host = await createTestHost({
    plugin: pluginDir,
    config: { ...options.config },
    grants: options.grants ?? ['http:rates.example.com', 'secrets:EXCHANGE_API_KEY', 'emit:orders.enriched'],
    secrets: { EXCHANGE_API_KEY: options.secret ?? API_KEY },
    fetch: service.answer,
  });
  t.after(() => host.close());
  return host;
}

const order = { id: 'o-1', amount: 10, currency: 'USD' };

test('prices the order in the default currency (EUR) with the rate fetched using the API key', async (t) => {
  service.failWith(undefined);
  const host = await hostFor(t);
  const seen = service.requests.length;

  const outcome = await host.deliver({ type: 'orders.eu.created', data: order });

  assert.equal(outcome.status, 'ok', JSON.stringify(outcome.error));
  assert.equal(outcome.emitted.length, 1);
  const [enriched] = outcome.emitted;
  assert.equal(enriched?.type, 'orders.enriched');
  assert.equal(enriched?.partitionkey, 'o-1');
  assert.deepEqual(enriched?.data, { ...order, rate: 0.9, total: { amount: 9, currency: 'EUR' } });
  const request = service.requests[seen];
  assert.equal(request?.url, 'https://rates.example.com/v1/rates?from=USD&to=EUR');
  assert.equal(request?.headers['x-api-key'], API_KEY);
});

test('the configured currency replaces the default, and an order already in it needs no lookup', async (t) => {
  service.failWith(undefined);
  const host = await hostFor(t, { config: { currency: 'GBP' } });
  const seen = service.requests.length;

  const usd = await host.deliver({ type: 'orders.uk.created', data: order });
  const gbp = await host.deliver({ type: 'orders.uk.created', data: { id: 7, amount: 5, currency: 'GBP' } });

  assert.deepEqual(usd.emitted[0]?.data, { ...order, rate: 0.8, total: { amount: 8, currency: 'GBP' } });
  assert.deepEqual(gbp.emitted[0]?.data, { id: '7', amount: 5, currency: 'GBP', rate: 1, total: { amount: 5, currency: 'GBP' } });
  assert.equal(service.requests.length, seen + 1);
});

test('an order without an id is dead-lettered without calling the rate service', async (t) => {
  service.failWith(undefined);
  const host = await hostFor(t);
  const seen = service.requests.length;

  const outcome = await host.deliver({ type: 'orders.eu.created', data: { amount: 10, currency: 'USD' } });

  assert.equal(outcome.status, 'dead');
  assert.match(outcome.error?.message ?? '', /order has no id/);
  assert.deepEqual(outcome.emitted, []);
  assert.equal(service.requests.length, seen);
});

test('a 5xx from the rate service is retried, and nothing is emitted', async (t) => {
  service.failWith(503);
  t.after(() => service.failWith(undefined));
  const host = await hostFor(t);

  const outcome = await host.deliver({ type: 'orders.eu.created', data: order });

  assert.equal(outcome.status, 'retry');
  assert.match(outcome.error?.message ?? '', /rate service answered 503/);
  assert.deepEqual(outcome.emitted, []);
});

test('a rate service refusing the API key dead-letters the order', async (t) => {
  service.failWith(undefined);
  const host = await hostFor(t, { secret: 'wrong-key' });

  const outcome = await host.deliver({ type: 'orders.eu.created', data: order });

  assert.equal(outcome.status, 'dead');
  assert.match(outcome.error?.message ?? '', /refused USD->EUR: 401/);
});

test('without the http grant ctx.fetch is absent and the order is dead-lettered', async (t) => {
  const host = await hostFor(t, { grants: ['secrets:EXCHANGE_API_KEY', 'emit:orders.enriched'] });

  const outcome = await host.deliver({ type: 'orders.eu.created', data: order });

  assert.equal(outcome.status, 'dead');
  assert.match(outcome.error?.message ?? '', /needs the http, secrets and emit grants/);
});

test('a rate service URL on an ungranted host is denied with PLEXUS_CAPABILITY_DENIED', async (t) => {
  const host = await hostFor(t, { config: { rateServiceUrl: 'http://127.0.0.1:9' } });

  const outcome = await host.deliver({ type: 'orders.eu.created', data: order });

  assert.equal(outcome.status, 'dead');
  assert.equal(outcome.error?.code, 'PLEXUS_CAPABILITY_DENIED');
  assert.deepEqual(host.denials.map((d) => [d.capability, d.target]), [['http', '127.0.0.1:9']]);
});
