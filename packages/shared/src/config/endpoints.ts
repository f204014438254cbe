// One endpoint per cluster, or one for all: the form PROMETHEUS_URL, LOKI_URL and TEMPO_URL take.
import { err, ok, type Result } from "../core/result.js";

/** One backend (a Prometheus, a Loki, a Tempo) by the name tools know it by: usually a cluster's. */
export type Endpoint = { name: string; url: string };

/** The name a lone, unnamed URL gets: it answers for every cluster. */
export const DEFAULT_ENDPOINT = "default";

const NAMED = /^([A-Za-z0-9][\w.-]*)=(.+)$/;

/**
 * `https://loki:3100` (one endpoint for every cluster) or `prod=https://…/loki,staging=https://…/loki`
 * (one per cluster, the first the default); an error names the entry to fix.
 */
export function parseEndpoints(value: string, variable: string): Result<Endpoint[], string> {
  const entries = value.split(",").map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) return err(`${variable} is empty: expected a URL or name=URL,name=URL`);
  const endpoints: Endpoint[] = [];
  for (const entry of entries) {
    const m = NAMED.exec(entry);
    const name = m ? (m[1] as string) : DEFAULT_ENDPOINT;
    const raw = m ? (m[2] as string) : entry;
    if (!m && entries.length > 1) return err(`${variable}: "${entry}" has no name; with several endpoints write name=URL for each`);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return err(`${variable}: "${raw}" is not a URL (expected http:// or https://…)`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return err(`${variable}: "${raw}" must be http:// or https://`);
    if (endpoints.some((e) => e.name === name)) return err(`${variable}: the name "${name}" is given twice`);
    endpoints.push({ name, url: raw.replace(/\/+$/, "") });
  }
  return ok(endpoints);
}
