/** JSON-shaped data: what the client library's typed objects become once serialised. */
export type Plain = Record<string, unknown>;

/** A client-node object as plain JSON (Dates become RFC 3339 strings, undefined fields go). */
export function plain(o: unknown): Plain {
  return o === undefined || o === null ? {} : (JSON.parse(JSON.stringify(o)) as Plain);
}

/** kubectl's age: the largest unit that fits ("45s", "12m", "3h", "5d"). */
export function age(since: Date | string | undefined, now: Date): string {
  if (since === undefined) return "";
  const s = Math.max(0, Math.floor((now.getTime() - new Date(since).getTime()) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 2 * 3600) return `${Math.floor(s / 60)}m`;
  if (s < 2 * 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** An ISO string for a client-node Date (or string) field. */
export const iso = (d: Date | string | undefined): string | undefined => (d === undefined ? undefined : new Date(d).toISOString());

/** `list` cut to `limit`, with how many there were, so an answer says when it left some out. */
export function capped<T>(list: readonly T[], limit: number): { items: T[]; total: number; truncated: boolean } {
  return { items: list.slice(0, limit), total: list.length, truncated: list.length > limit };
}
