/**
 * How long a read tool's result may be served from the cache, by what the tool reads: logs,
 * queries and traces move fastest (5 s); lists, gets and status 10 s; histories (rollout history,
 * commits, releases) 30 s. A server's config overrides it per tool; 0 turns caching off.
 */
export function defaultTtlMs(tool: string): number {
  const t = tool.toLowerCase();
  if (/log|query|trace|span|search|alert|event|metric|usage|top/.test(t)) return 5_000;
  if (/history|revision|commit|release|pull/.test(t)) return 30_000;
  return 10_000;
}
