import { z } from "zod";
import { defineTool } from "../../core/define-tool.js";
import { promClusterArg, promUpstream, type PromDeps } from "../deps.js";
import { promGet, TargetsData } from "../prom-api.js";

export function targetsTool(deps: PromDeps) {
  return defineTool({
    name: "prometheus_targets",
    title: "Prometheus scrape targets",
    kind: "read",
    description: "What Prometheus scrapes and whether each target is up: scrape pool, URL, labels, health, last scrape and its error. Down targets first.",
    input: z.object({
      health: z.enum(["up", "down", "unknown", "any"]).default("any"),
      pool: z.string().min(1).optional().describe("Only this scrape pool (job)"),
      limit: z.number().int().min(1).max(500).default(100),
      cluster: promClusterArg(deps),
    }),
    output: z.object({
      cluster: z.string(),
      up: z.number(),
      down: z.number(),
      targets: z.array(z.object({ pool: z.string(), url: z.string(), labels: z.record(z.string(), z.string()), health: z.string(), lastScrape: z.string(), lastScrapeMs: z.number(), lastError: z.string() })),
    }),
    run: async (args, { signal }) => {
      const upstream = promUpstream(deps, args.cluster);
      const { data } = await promGet(upstream, "/targets", { state: "active" }, TargetsData, signal);
      const all = data.activeTargets.filter((t) => (args.health === "any" || t.health === args.health) && (!args.pool || t.scrapePool === args.pool));
      const targets = all
        .sort((a, b) => Number(a.health === "up") - Number(b.health === "up"))
        .slice(0, args.limit)
        .map((t) => ({ pool: t.scrapePool, url: t.scrapeUrl, labels: t.labels, health: t.health, lastScrape: t.lastScrape, lastScrapeMs: Math.round(t.lastScrapeDuration * 1000), lastError: t.lastError }));
      const up = all.filter((t) => t.health === "up").length;
      const lines = targets.map((t) => `  ${t.health.padEnd(7)} ${t.pool} ${t.url}${t.lastError ? ` — ${t.lastError}` : ""}`);
      return {
        summary: `${all.length} targets: ${up} up, ${all.length - up} not up${all.length > targets.length ? ` (${targets.length} shown)` : ""}\n${lines.join("\n")}`,
        data: { cluster: upstream.name, up, down: all.length - up, targets },
      };
    },
  });
}
