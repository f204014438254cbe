import type { McpToolbox } from "@autodevops/mcp-clients";
import type { Finding, Incident, Logger } from "@autodevops/shared";

/** Lines a person can read that suggest what went wrong, in any of our services' log formats. */
const TROUBLE = "(?i)(error|panic|fatal|exception|killed|no space left|timed? ?out|refused)";
const MAX_LINE = 240;

type LokiResult = { lines?: number; topErrors?: { message: string; count: number; example?: string }[] };
type TempoResult = { found?: number; traces?: { rootService: string; rootOperation: string; durationMs: number }[] };

const clip = (s: string) => (s.length > MAX_LINE ? `${s.slice(0, MAX_LINE)}…` : s);

/**
 * Pulls log and trace evidence for an incident's target on demand, through the MCP read tools
 * (Loki, Tempo) when they are configured: the top error messages of the last ten minutes and the
 * slowest traces through the service. The lines are for people reading the incident; no rule
 * ever reads them (they may hold anything a process chose to log).
 */
export function toolEvidence(tools: Pick<McpToolbox, "call" | "listTools">, log: Logger) {
  const has = (name: string) => tools.listTools().some((t) => t.name === name);
  return async (incident: Incident, _findings: Finding[]): Promise<string[]> => {
    const workload = incident.rootCause?.workload ?? incident.workload;
    const namespace = incident.rootCause?.namespace ?? incident.namespace;
    if (!workload || !namespace) return [];
    const cluster = incident.cluster;
    const lines: string[] = [];
    if (has("loki_query_range")) {
      const r = await tools.call("loki_query_range", { query: `{namespace="${namespace}", app="${workload}"} |~ "${TROUBLE}"`, cluster, since: "10m", limit: 500 });
      if (r.ok) {
        const s = (r.value.structuredContent ?? {}) as LokiResult;
        for (const e of (s.topErrors ?? []).slice(0, 3)) lines.push(clip(`logs: ${e.count}× "${e.message}"${e.example && e.example !== e.message ? ` (e.g. ${e.example})` : ""}`));
      } else log.debug({ error: r.error.message }, "no log evidence");
    }
    if (has("tempo_search")) {
      const r = await tools.call("tempo_search", { service: workload, cluster, since: "10m", minDuration: "1s", limit: 5 });
      if (r.ok) {
        const s = (r.value.structuredContent ?? {}) as TempoResult;
        const slowest = s.traces?.[0];
        if (slowest) lines.push(clip(`traces: ${s.found ?? s.traces?.length ?? 0} traces through ${workload} took over 1s in 10 min; slowest ${Math.round(slowest.durationMs)} ms (${slowest.rootService} ${slowest.rootOperation})`));
      } else log.debug({ error: r.error.message }, "no trace evidence");
    }
    return lines;
  };
}
