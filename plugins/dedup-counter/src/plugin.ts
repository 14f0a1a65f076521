import { definePlugin, PermanentError } from '@plexus/plugin-sdk';
import { seenKey } from './seen-key.ts';

interface Config {
  /** How long an event id is remembered, in ms: a redelivery within it is not counted again. */
  windowMs: number;
}

export default definePlugin<Config>({
  async execute(event, ctx) {
    const { kv } = ctx;
    // Ungranted capabilities are absent from ctx; retrying will not grant them.
    if (!kv) throw new PermanentError('dedup-counter needs the kv grant');

    // Delivery is at least once: retries and replays bring the same event again,
    // and the host runs a batch's events at once, so two copies may run together.
    const key = seenKey(event.source, event.id);
    // incr is the one atomic kv operation: exactly one execution gets 1 and
    // counts; a get-then-set check lets concurrent copies all pass it.
    if ((await kv.get(key)) !== undefined || (await kv.incr(key)) > 1) {
      ctx.log.debug('duplicate ignored', { id: event.id, type: event.type });
      return;
    }
    let count: number;
    try {
      await kv.set(key, 1, { ttlMs: ctx.config.windowMs });
      count = await kv.incr(`count:${event.type}`);
    } catch (error) {
      // Release the claim so the retry counts the event instead of losing it.
      // (kv has no transactions: an instance killed between claim and count
      // still loses the event, the price of never counting concurrent copies twice.)
      await kv.delete(key);
      throw error;
    }
    ctx.log.info('event counted', { type: event.type, count });
  },
});
