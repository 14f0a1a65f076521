import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RetiringInstances } from '../../src/delivery/retiring-instances.ts';

function tracker() {
  const evicted: string[] = [];
  return { evicted, instances: new RetiringInstances((key) => evicted.push(key)) };
}

test('a version with no running batch is evicted as soon as it is retired', () => {
  const { evicted, instances } = tracker();
  instances.retire('p@1.0.0');
  assert.deepEqual(evicted, ['p@1.0.0']);
});

test('a retired version keeps its instances until its last running batch finishes, then is evicted once', () => {
  const { evicted, instances } = tracker();
  instances.started('p@1.0.0');
  instances.started('p@1.0.0');
  instances.retire('p@1.0.0');
  assert.deepEqual(evicted, []);
  instances.finished('p@1.0.0');
  assert.deepEqual(evicted, [], 'one batch still runs on the old version');
  instances.finished('p@1.0.0');
  assert.deepEqual(evicted, ['p@1.0.0']);
  instances.started('p@1.0.0');
  instances.finished('p@1.0.0');
  assert.deepEqual(evicted, ['p@1.0.0'], 'not evicted a second time');
});

test('batches finishing on a version that is still live evict nothing', () => {
  const { evicted, instances } = tracker();
  instances.started('p@2.0.0');
  instances.finished('p@2.0.0');
  instances.started('q@1.0.0');
  instances.retire('p@2.0.0');
  instances.finished('q@1.0.0');
  assert.deepEqual(evicted, ['p@2.0.0']);
});

test('a version made active again before its last running batch finishes keeps its instances', () => {
  const { evicted, instances } = tracker();
  instances.started('p@1.0.0');
  instances.retire('p@1.0.0');
  instances.activate('p@1.0.0');
  instances.finished('p@1.0.0');
  assert.deepEqual(evicted, []);
  instances.retire('p@1.0.0');
  assert.deepEqual(evicted, ['p@1.0.0'], 'retired again, with nothing running: evicted at once');
});
