/**
 * Polls `check` until it returns a value (anything but undefined, null or false) and resolves
 * with it; a deadline passed rejects naming `what` and the last error the check threw. For
 * tests of things that settle on their own (controllers, servers starting, alerts firing).
 */
export async function eventually<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, what: string, withinMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + withinMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${withinMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}
