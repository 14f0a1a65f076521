// Pure pieces of the delivery pipeline: no I/O, no timers; `now` and
// randomness are injected by the caller.
export { backoffCeiling, nextRetry } from './backoff.ts';
export type { Random, RetryDecision } from './backoff.ts';
export { BinaryHeap } from './binary-heap.ts';
export { CircuitBreaker } from './circuit-breaker.ts';
export type { CircuitBreakerOptions, CircuitPermit, CircuitRejection, CircuitState, CircuitStateChange } from './circuit-breaker.ts';
export { decideDisposition, nonRetryableReason } from './disposition.ts';
export type { AttemptError, AttemptOutcome, DeadLetterReason, Disposition, DispositionInput } from './disposition.ts';
export { FifoQueue } from './fifo-queue.ts';
export { KeyedRateLimiter } from './keyed-rate-limiter.ts';
export type { KeyedRateLimiterOptions } from './keyed-rate-limiter.ts';
export { PartitionGate } from './partition-gate.ts';
export type { GateDecision } from './partition-gate.ts';
export { MAX_PRIORITY_COST, PRIORITY_CLASS_COST, priorityClass, priorityCost } from './priority-cost.ts';
export type { PriorityClass } from './priority-cost.ts';
export { DEFAULT_AGING_STEP, PriorityScheduler } from './priority-scheduler.ts';
export { TokenBucket, assertBucketLimits } from './rate-limiter.ts';
export type { BucketLimits, TakeResult } from './rate-limiter.ts';
export { DEFAULT_RETRY_POLICY, resolveRetryPolicy } from './retry-policy.ts';
export type { RetryOptions, RetryPolicy } from './retry-policy.ts';
