import { definePlugin, PermanentError, type JsonObject } from '@plexus/plugin-sdk';

/** One topic word: what the outcome becomes in `audit.payments.<outcome>`. */
const OUTCOME = /^[a-z][a-z0-9_-]*$/;

export default definePlugin({
  execute(event, ctx) {
    // Ungranted capabilities are absent from ctx; retrying will not grant them.
    if (!ctx.emit) throw new PermanentError('audit-router needs an emit grant for audit.payments.*');
    const { data } = event;
    const payment: JsonObject = typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {};
    const { id, accountId, status } = payment;
    // The same malformed payment would fail every retry: dead-letter it for a person to look at.
    // An empty string names no payment or account (and "" would be one partition shared by all of them).
    if (typeof id !== 'string' || id === '' || typeof accountId !== 'string' || accountId === '') throw new PermanentError('payment needs a string id and accountId');
    if (typeof status !== 'string' || !OUTCOME.test(status)) throw new PermanentError(`payment ${id} has no usable status`);

    // The host continues the delivered event's trace on emitted events (traceparent),
    // and one partition per account keeps that account's audit trail in order.
    ctx.emit(
      `audit.payments.${status}`,
      { paymentId: id, accountId, amount: payment.amount ?? null, cause: { id: event.id, type: event.type, source: event.source, time: event.time ?? null } },
      { partitionkey: accountId },
    );
    ctx.log.info('payment audited', { payment: id, outcome: status });
  },
});
