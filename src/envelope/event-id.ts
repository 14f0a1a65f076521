// Event ids the host mints (wrapped bodies, emitted events): random UUIDs, so
// they are unique per source without coordination between workers.
import { randomUUID } from 'node:crypto';

export function newEventId(): string {
  return randomUUID();
}
