// Host ids, and the layout of delivery ids that carries them (made by the
// engine's DeliveryIds): `<12 hex ms>-<host id>-<6 hex counter>`. A store
// shared by several hosts reads the creating host from the id, so marking
// who runs a delivery costs no write on the hot path (see Store.adopt).
import { randomBytes } from 'node:crypto';

const HOST_ID = /^[0-9a-f]{8,32}$/;
const DELIVERY_ID = /^[0-9a-f]{12}-([0-9a-f]{8,32})-[0-9a-f]{6}$/;

/** A new random host id. */
export function newHostId(): string {
  return randomBytes(6).toString('hex');
}

export function isHostId(text: string): boolean {
  return HOST_ID.test(text);
}

/** The host that created a delivery, when its id has the engine's layout. */
export function hostOfDeliveryId(id: string): string | undefined {
  return DELIVERY_ID.exec(id)?.[1];
}
