// Attribute names come from producers. Plain assignment of `__proto__` would
// replace the object's prototype instead of adding an attribute, hiding it
// from validation; defining the property always makes it an own, visible one
// (which validation then refuses as an invalid name).
//
// Only that one name needs defineProperty: defining every attribute that way
// turns the envelope into a slow dictionary-mode object, which every later
// stage (validation, routing, JSON.stringify for the journal) pays for.

export function setOwnProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
