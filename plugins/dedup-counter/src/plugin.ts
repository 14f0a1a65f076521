import { definePlugin, PermanentError } from '@plexus/plugin-sdk';

interface Config {
  /** How long an event id is remembered, in ms: a redelivery within it is not counted again. */
  windowMs: number;
}

export default definePlugin<Config>({
  async execute(event, ctx) {
    const { kv } = ctx;
    // Ungranted capabilities are absent from ctx; retrying will not grant them.
    if (!kv) throw new PermanentError('dedup-counter needs the kv grant');

    // Delivery is at least once: retries and replays bring the same event again.
    const seenKey = `seen:${event.source}:${event.id}`;
    if ((await kv.get(seenKey)) !== undefined) {
      ctx.log.debug('duplicate ignored', { id: event.id, type: event.type });
      return;
    }
    // Count first, then remember: kv has no transactions, and if remembering
    // fails the retry counts twice, while the other order could lose the event.
    const count = await kv.incr(`count:${event.type}`);
    await kv.set(seenKey, event.time ?? null, { ttlMs: ctx.config.windowMs });
    ctx.log.info('event counted', { type: event.type, count });
  },
});
