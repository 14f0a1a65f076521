// Priority-weighted rate-limit costs (seed 000): critical 1, high 2, normal 3,
// low 4 tokens, so under a shared limit urgent events get through more often.
// Mapping of the 0-9 event priority to those classes, chosen so the default
// priority 4 is "normal" and the classes mirror 9-first serving:
//   8-9 critical · 6-7 high · 3-5 normal · 0-2 low
import { DEFAULT_PRIORITY, isPriority } from '../envelope/priority.ts';

export type PriorityClass = 'critical' | 'high' | 'normal' | 'low';

export const PRIORITY_CLASS_COST: Readonly<Record<PriorityClass, number>> = Object.freeze({ critical: 1, high: 2, normal: 3, low: 4 });

/** The most tokens one event can cost: a bucket's burst should be at least this. */
export const MAX_PRIORITY_COST = PRIORITY_CLASS_COST.low;

export function priorityClass(priority: number = DEFAULT_PRIORITY): PriorityClass {
  if (!isPriority(priority)) throw new RangeError(`priority must be an integer 0-9, got ${priority}`);
  if (priority >= 8) return 'critical';
  if (priority >= 6) return 'high';
  if (priority >= 3) return 'normal';
  return 'low';
}

export function priorityCost(priority: number = DEFAULT_PRIORITY): number {
  return PRIORITY_CLASS_COST[priorityClass(priority)];
}
