// The semantics every Store implementation shares (src/store/store.ts),
// written once and run against each backend: a test file per backend calls
// describeStore with a factory for fresh, empty stores.
import { describe } from 'node:test';
import type { StoreFactory } from './conformance-helpers.ts';
import { batchCases } from './conformance-batch.ts';
import { claimCases } from './conformance-claims.ts';
import { deliveryCases } from './conformance-delivery.ts';
import { dlqCases } from './conformance-dlq.ts';
import { journalCases } from './conformance-journal.ts';
import { kvCases } from './conformance-kv.ts';

export type { StoreFactory, StoreFixture } from './conformance-helpers.ts';

export function describeStore(name: string, factory: StoreFactory, options: { skip?: string } = {}): void {
  describe(`${name} store conformance`, { skip: options.skip ?? false }, () => {
    describe('accept, settle, pending, depth, redeliver', () => deliveryCases(factory));
    describe('dead-letter queue', () => dlqCases(factory));
    describe('journal and retention', () => journalCases(factory));
    describe('kv and seen', () => kvCases(factory));
    describe('replay claims on accept', () => claimCases(factory));
    describe('batch sizes', () => batchCases(factory));
  });
}
