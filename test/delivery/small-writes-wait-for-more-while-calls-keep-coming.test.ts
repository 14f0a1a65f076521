// GroupCommit: a lone call is written at the end of its own loop turn; small
// calls that keep arriving over the next turns share one write; a write
// that is large already is not held back for more.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommit } from '../../src/delivery/group-commit.ts';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function recorder(weight = 1) {
  const writes: number[][] = [];
  const commits = new GroupCommit<number, number>(async (items) => {
    writes.push(items);
    return items;
  }, () => weight);
  return { writes, commits };
}

test('a lone call is written at the end of the turn it came in, not later', async () => {
  const { writes, commits } = recorder();
  const done = commits.submit(1);
  await nextTurn();
  assert.deepEqual(writes, [[1]]);
  assert.equal(await done, 1);
});

test('small calls still arriving in the turns after the first share its write', async () => {
  const { writes, commits } = recorder();
  const all = [commits.submit(1), commits.submit(2)];
  // One more call in each of the next two turns, as requests read in later turns would come.
  setImmediate(() => {
    all.push(commits.submit(3));
    setImmediate(() => all.push(commits.submit(4)));
  });
  for (let i = 0; i < 8; i++) await nextTurn();
  assert.deepEqual(await Promise.all(all), [1, 2, 3, 4]);
  assert.deepEqual(writes, [[1, 2, 3, 4]]);
});

test('the wait ends when a turn brings nothing new, and after at most four extra turns', async () => {
  const quiet = recorder();
  const first = [quiet.commits.submit(1), quiet.commits.submit(2)];
  await nextTurn();
  await nextTurn();
  assert.deepEqual(quiet.writes, [[1, 2]], 'one turn without a new call and it is written');
  await Promise.all(first);

  const busy = recorder();
  let n = 0;
  const calls: Promise<number>[] = [busy.commits.submit(++n)];
  // A new call every turn, for longer than the wait may last.
  const feed = () => {
    calls.push(busy.commits.submit(++n));
    if (n < 20) setImmediate(feed);
  };
  feed();
  for (let i = 0; i < 30; i++) await nextTurn();
  await Promise.all(calls);
  assert.ok(busy.writes.length > 1, 'a steady trickle does not hold the first write forever');
  assert.deepEqual(busy.writes[0], [1, 2, 3, 4, 5, 6], 'the first write waited four extra turns, one call each, and no more');
});

test('a write that is large already is not held for more', async () => {
  const { writes, commits } = recorder(100);
  const all = [commits.submit(1), commits.submit(2)];
  setImmediate(() => all.push(commits.submit(3)));
  for (let i = 0; i < 4; i++) await nextTurn();
  await Promise.all(all);
  assert.deepEqual(writes, [[1, 2], [3]]);
});
