// Attribute names come from producers. Plain assignment of `__proto__` would
// replace the object's prototype instead of adding an attribute, hiding it
// from validation; defining the property always makes it an own, visible one
// (which validation then refuses as an invalid name).

export function setOwnProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
