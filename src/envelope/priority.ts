// Event priority (CONTRACT §5): an integer 0-9, 9 served first. One home for
// the range so the schema, the normaliser and the delivery scheduler agree.

export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 9;
export const DEFAULT_PRIORITY = 4;

export function isPriority(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= MIN_PRIORITY && (value as number) <= MAX_PRIORITY;
}
