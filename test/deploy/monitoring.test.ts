import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { z } from "zod";
import { find, kustomize, renderOverlay, ROOT } from "./manifests.js";
import { ArgoApplication, PrometheusRule } from "./schemas.js";

/**
 * The product's own monitoring and its GitOps entry: the PrometheusRule's alerts through the
 * real promtool (syntax, lint, unit tests), the Grafana dashboard's queries (valid PromQL, on
 * metrics Scarlet really exports), the ServiceMonitor, and the ArgoCD Application.
 */

const production = renderOverlay("production");

function promtool(cwd: string, ...args: string[]): { status: number | null; output: string } {
  const r = spawnSync("promtool", args, { cwd, encoding: "utf8", timeout: 60_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") throw new Error("promtool is not installed: `apt-get install prometheus`");
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A temporary rules file promtool can read, with these groups. */
function rulesDir(groups: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), "deploy-rules-"));
  writeFileSync(path.join(dir, "product-rules.yaml"), stringify({ groups }));
  return dir;
}

/**
 * The metric names Scarlet and Jamie export, read from their sources' `metrics.counter("…")`,
 * `.gauge(…)` and `.histogram(…)` calls, with the `autodevops_` prefix createServiceMetrics adds
 * and a histogram's _bucket, _sum and _count series.
 */
function exportedMetrics(): Set<string> {
  const names = new Set<string>();
  for (const app of ["apps/scarlet/src", "apps/jamie/src"]) {
    const dir = path.join(ROOT, app);
    for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
      if (!file.endsWith(".ts") || file.endsWith(".test.ts")) continue;
      const text = readFileSync(path.join(dir, file), "utf8");
      for (const m of text.matchAll(/\.(counter|gauge|histogram)\(\s*"([a-z_:][\w:]*)"/g)) {
        const name = `autodevops_${m[2]}`;
        if (m[1] === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(name + s);
        else names.add(name);
      }
    }
  }
  return names;
}
const productMetricsIn = (expr: string) => [...expr.matchAll(/\bautodevops_\w+/g)].map((m) => m[0]);

const Dashboard = z
  .object({
    uid: z.string().min(1),
    title: z.string().min(1),
    schemaVersion: z.number().int(),
    templating: z.object({ list: z.array(z.object({ name: z.string(), type: z.string() }).loose()) }),
    panels: z
      .array(
        z
          .object({
            id: z.number().int(),
            type: z.enum(["timeseries", "stat", "table", "bargauge", "gauge"]),
            title: z.string().min(1),
            datasource: z.object({ type: z.literal("prometheus"), uid: z.string() }),
            gridPos: z.object({ x: z.number(), y: z.number(), w: z.number().max(24), h: z.number() }),
            targets: z.array(z.object({ refId: z.string(), expr: z.string().min(1), legendFormat: z.string().optional() }).loose()).min(1),
          })
          .loose(),
      )
      .min(1),
  })
  .loose();
const dashboardFile = "deploy/grafana/scarlet-dashboard.json";
const dashboard = Dashboard.parse(JSON.parse(readFileSync(path.join(ROOT, dashboardFile), "utf8")));
const rule = PrometheusRule.parse(find(production, "PrometheusRule", "autodevops"));

describe("the product's alerting rules (PrometheusRule)", () => {
  it("pass `promtool check rules`", () => {
    const r = promtool(rulesDir(rule.spec.groups), "check", "rules", "product-rules.yaml");
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/SUCCESS: 6 rules found/);
  });

  it("pass promtool's unit tests: each alert fires after its `for:` with its labels and text, and not on healthy series", () => {
    const dir = rulesDir(rule.spec.groups);
    copyFileSync(path.join(ROOT, "test/deploy/fixtures/product-rules.unit.yaml"), path.join(dir, "product-rules.unit.yaml"));
    const r = promtool(dir, "test", "rules", "product-rules.unit.yaml");
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain("SUCCESS");
  });

  it("use only metrics Scarlet exports", () => {
    const exported = exportedMetrics();
    const used = rule.spec.groups.flatMap((g) => g.rules.flatMap((x) => productMetricsIn(x.expr)));
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((m) => !exported.has(m))).toEqual([]);
  });
});

describe("the Grafana dashboard", () => {
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: t.expr })));

  it("has only valid PromQL (each query checked by promtool as a recording rule)", () => {
    const groups = [{ name: "dashboard", rules: exprs.map((e, i) => ({ record: `dashboard:query_${i}`, expr: e.expr })) }];
    const r = promtool(rulesDir(groups), "check", "rules", "product-rules.yaml");
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain(`SUCCESS: ${exprs.length} rules found`);
  });

  it("charts time to detect, time to mitigate, actions by outcome and approvals waiting, from metrics Scarlet exports", () => {
    const exported = exportedMetrics();
    const used = exprs.flatMap((e) => productMetricsIn(e.expr));
    expect(used.filter((m) => !exported.has(m))).toEqual([]);
    const all = exprs.map((e) => e.expr).join("\n");
    expect(all).toContain("autodevops_scarlet_time_to_detect_seconds_bucket");
    expect(all).toContain("autodevops_scarlet_time_to_mitigate_seconds_bucket");
    expect(all).toMatch(/by \([^)]*outcome[^)]*\) \(increase\(autodevops_scarlet_actions_total/);
    expect(all).toContain("autodevops_scarlet_approvals_waiting");
    expect(dashboard.templating.list.map((v) => v.name)).toContain("datasource");
  });

  it("ships as the ConfigMap Grafana's sidecar loads, holding the file unchanged", () => {
    const cm = z.object({ metadata: z.object({ namespace: z.string(), labels: z.record(z.string(), z.string()) }).loose(), data: z.record(z.string(), z.string()) }).parse(
      find(production, "ConfigMap", "autodevops-scarlet-dashboard"),
    );
    expect(cm.metadata.labels.grafana_dashboard).toBe("1");
    expect(JSON.parse(cm.data["scarlet-dashboard.json"] ?? "{}")).toEqual(JSON.parse(readFileSync(path.join(ROOT, dashboardFile), "utf8")));
  });
});

describe("the ServiceMonitor", () => {
  it("selects Scarlet's Service and scrapes /metrics on a port the Service names", () => {
    const sm = z.object({ spec: z.object({ selector: z.object({ matchLabels: z.record(z.string(), z.string()) }), endpoints: z.array(z.object({ port: z.string(), path: z.string() }).loose()) }) }).parse(find(production, "ServiceMonitor", "scarlet"));
    const svc = z.object({ metadata: z.object({ labels: z.record(z.string(), z.string()) }).loose(), spec: z.object({ ports: z.array(z.object({ name: z.string() }).loose()) }).loose() }).parse(find(production, "Service", "scarlet"));
    expect(svc.metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
    expect(sm.spec.endpoints.map((e) => [e.port, e.path])).toEqual([["http", "/metrics"]]);
    expect(svc.spec.ports.map((p) => p.name)).toContain("http");
  });
});

describe("the ArgoCD Application", () => {
  const app = ArgoApplication.parse(parse(readFileSync(path.join(ROOT, "deploy/argocd/application.yaml"), "utf8")));

  it("syncs the production overlay into the namespace it creates, pruning and self-healing", () => {
    expect(app.spec.source.path).toBe("deploy/overlays/production");
    const rendered = kustomize(app.spec.source.path);
    expect(rendered.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(production.map((o) => `${o.kind}/${o.metadata.name}`));
    expect(find(rendered, "Namespace", app.spec.destination.namespace)).toBeDefined();
    expect(app.spec.syncPolicy?.automated).toEqual({ prune: true, selfHeal: true });
  });

  it("leaves Jamie's replica count to its HorizontalPodAutoscaler", () => {
    const hpa = z.object({ spec: z.object({ scaleTargetRef: z.object({ kind: z.string(), name: z.string() }) }).loose() }).parse(find(production, "HorizontalPodAutoscaler", "jamie"));
    expect(app.spec.ignoreDifferences).toContainEqual({ group: "apps", kind: hpa.spec.scaleTargetRef.kind, name: hpa.spec.scaleTargetRef.name, jsonPointers: ["/spec/replicas"] });
    expect((find(production, "Deployment", "jamie") as { spec?: { replicas?: number } }).spec?.replicas).toBeUndefined();
  });
});
