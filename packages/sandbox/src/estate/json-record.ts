/**
 * A field of an estate object as a JSON object. `KubeObjectInput` types its fields as unknown,
 * so this checks instead of casting: absent reads as undefined, anything but an object throws,
 * since the estate is the sandbox's own data and a malformed field there is a bug.
 */
export function recordField(value: unknown, what: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`estate: ${what} is not an object`);
  return structuredClone(value as Record<string, unknown>);
}
