// Reading a host's /metrics text in tests: the sample lines of one metric,
// the value of its first, and a wait for the metrics to say something.
import assert from 'node:assert/strict';

/** The sample lines of one metric (no comments), e.g. samples(text, 'plexus_queue_depth'). */
export function samples(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

/** The value of the metric's first sample; NaN when it has none. */
export function value(text: string, name: string): number {
  const line = samples(text, name)[0];
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

export async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
