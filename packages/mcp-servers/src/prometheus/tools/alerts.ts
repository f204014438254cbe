import { z } from "zod";
import { defineTool } from "../../core/define-tool.js";
import { promClusterArg, promUpstream, type PromDeps } from "../deps.js";
import { AlertsData, promGet, RulesData } from "../prom-api.js";
import { roundValue, seriesText } from "../summarise.js";

const MAX_ANNOTATION_CHARS = 300;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

export function alertsTool(deps: PromDeps) {
  return defineTool({
    name: "prometheus_alerts",
    title: "Prometheus alerts",
    kind: "read",
    description: "Alerts Prometheus is evaluating now (firing first, then pending), with their labels, summary annotation and since when they are active.",
    input: z.object({
      state: z.enum(["firing", "pending", "any"]).default("any").describe("Only firing or only pending alerts (default any)"),
      alertname: z.string().min(1).optional().describe("Only alerts of this name"),
      limit: z.number().int().min(1).max(200).default(50),
      cluster: promClusterArg(deps),
    }),
    output: z.object({
      cluster: z.string(),
      firing: z.number(),
      pending: z.number(),
      alerts: z.array(z.object({ alertname: z.string(), state: z.string(), labels: z.string(), activeAt: z.string(), value: z.union([z.number(), z.string()]), summary: z.string() })),
    }),
    run: async (args, { signal }) => {
      const upstream = promUpstream(deps, args.cluster);
      const { data } = await promGet(upstream, "/alerts", {}, AlertsData, signal);
      const matching = data.alerts
        .filter((a) => (args.state === "any" || a.state === args.state) && (!args.alertname || a.labels.alertname === args.alertname))
        .sort((a, b) => Number(b.state === "firing") - Number(a.state === "firing") || (a.activeAt ?? "").localeCompare(b.activeAt ?? ""));
      const alerts = matching.slice(0, args.limit).map((a) => {
        const { alertname = "", ...labels } = a.labels;
        const summary = a.annotations.summary ?? a.annotations.description ?? a.annotations.message ?? "";
        return { alertname, state: a.state, labels: seriesText(labels), activeAt: a.activeAt ?? "", value: roundValue(a.value ?? "NaN"), summary: clip(summary, MAX_ANNOTATION_CHARS) };
      });
      const firing = matching.filter((a) => a.state === "firing").length;
      const lines = alerts.map((a) => `  ${a.state.padEnd(7)} ${a.alertname}${a.labels} since ${a.activeAt}${a.summary ? ` — ${a.summary}` : ""}`);
      const more = matching.length > alerts.length ? `\n  … ${matching.length - alerts.length} more (filter by alertname or state)` : "";
      return {
        summary: `${firing} firing, ${matching.length - firing} pending${matching.length ? `\n${lines.join("\n")}${more}` : ""}`,
        data: { cluster: upstream.name, firing, pending: matching.length - firing, alerts },
      };
    },
  });
}

export function rulesTool(deps: PromDeps) {
  return defineTool({
    name: "prometheus_rules",
    title: "Prometheus rules",
    kind: "read",
    description: "Alerting and recording rules loaded in Prometheus: each rule's group, expression, state (inactive/pending/firing), health and last evaluation error.",
    input: z.object({
      type: z.enum(["alert", "record", "any"]).default("any"),
      name: z.string().min(1).optional().describe("Only rules whose name contains this (case-insensitive)"),
      unhealthyOnly: z.boolean().default(false).describe("Only rules whose last evaluation failed"),
      limit: z.number().int().min(1).max(300).default(100),
      cluster: promClusterArg(deps),
    }),
    output: z.object({
      cluster: z.string(),
      total: z.number(),
      rules: z.array(z.object({ group: z.string(), name: z.string(), type: z.string(), state: z.string(), health: z.string(), for: z.string(), query: z.string(), lastError: z.string(), activeAlerts: z.number() })),
    }),
    run: async (args, { signal }) => {
      const upstream = promUpstream(deps, args.cluster);
      const { data } = await promGet(upstream, "/rules", { type: args.type === "any" ? undefined : args.type }, RulesData, signal);
      const needle = args.name?.toLowerCase();
      const all = data.groups.flatMap((g) =>
        g.rules
          .filter((r) => (!needle || r.name.toLowerCase().includes(needle)) && (!args.unhealthyOnly || (r.health !== undefined && r.health !== "ok")))
          .map((r) => ({
            group: g.name,
            name: r.name,
            type: r.type,
            state: r.state ?? (r.type === "recording" ? "—" : "unknown"),
            health: r.health ?? "unknown",
            for: r.duration ? `${r.duration}s` : "",
            query: clip(r.query, 400),
            lastError: r.lastError ?? "",
            activeAlerts: r.alerts?.length ?? 0,
          })),
      );
      const rank = (s: string) => (s === "firing" ? 0 : s === "pending" ? 1 : 2);
      const rules = all.sort((a, b) => rank(a.state) - rank(b.state)).slice(0, args.limit);
      const firing = all.filter((r) => r.state === "firing").length;
      const unhealthy = all.filter((r) => r.health !== "ok" && r.health !== "unknown").length;
      const lines = rules.map((r) => `  ${r.type === "alerting" ? r.state.padEnd(8) : "record  "} ${r.name} (${r.group})${r.lastError ? ` ERROR: ${r.lastError}` : ""}`);
      return {
        summary: `${all.length} rules in ${data.groups.length} groups: ${firing} firing, ${unhealthy} failing to evaluate${all.length > rules.length ? ` (${rules.length} shown; filter by name or type)` : ""}\n${lines.join("\n")}`,
        data: { cluster: upstream.name, total: all.length, rules },
      };
    },
  });
}
