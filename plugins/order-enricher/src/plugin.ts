import { definePlugin, PermanentError, type JsonObject, type JsonValue, type PluginFetch, type PluginSecrets } from '@plexus/plugin-sdk';

interface Config {
  /** ISO 4217 code every order is priced in. */
  currency: string;
  /** Origin of the rate service; its host must be granted (http capability). */
  rateServiceUrl: string;
}

type Order = { id: string; amount: number; currency: string };

export default definePlugin<Config>({
  async execute(event, ctx) {
    const order = readOrder(event.data);
    const { fetch, secrets, emit } = ctx;
    // Ungranted capabilities are absent from ctx; retrying will not grant them.
    if (!fetch || !secrets || !emit) throw new PermanentError('order-enricher needs the http, secrets and emit grants');

    const rate = order.currency === ctx.config.currency ? 1 : await fetchRate(fetch, secrets, ctx.config, order.currency);
    const total = { amount: Math.round(order.amount * rate * 100) / 100, currency: ctx.config.currency };
    // One partition per order keeps its enriched events in order downstream.
    emit('orders.enriched', { ...order, rate, total }, { partitionkey: order.id });
    ctx.log.info('order enriched', { order: order.id, rate });
  },
});

/** A malformed order will be just as malformed on every retry: dead-letter it. */
function readOrder(data: JsonValue | undefined): Order {
  const fields: JsonObject = typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {};
  const { id, amount, currency } = fields;
  if ((typeof id !== 'string' && typeof id !== 'number') || id === '') throw new PermanentError('order has no id');
  if (typeof amount !== 'number' || typeof currency !== 'string') throw new PermanentError(`order ${id} has no amount or currency`);
  return { id: String(id), amount, currency };
}

async function fetchRate(fetch: PluginFetch, secrets: PluginSecrets, config: Config, from: string): Promise<number> {
  const url = `${config.rateServiceUrl}/v1/rates?from=${encodeURIComponent(from)}&to=${encodeURIComponent(config.currency)}`;
  const res = await fetch(url, { headers: { accept: 'application/json', 'x-api-key': secrets.get('EXCHANGE_API_KEY') } });
  // An overloaded or failing service may recover: a plain error lets the host retry with backoff.
  if (res.status >= 500 || res.status === 429) throw new Error(`rate service answered ${res.status}`);
  if (!res.ok) throw new PermanentError(`rate service refused ${from}->${config.currency}: ${res.status}`);
  const { rate } = await res.json<{ rate?: unknown }>();
  if (typeof rate !== 'number' || !(rate > 0)) throw new Error(`rate service sent no usable rate for ${from}->${config.currency}`);
  return rate;
}
