import { describe, expect, it } from "vitest";
import { Action, FAULT_KINDS, RootCause, type Finding } from "@autodevops/shared";
import { finding, type FindingDraft } from "../detectors/finding.js";
import { diagnose, planFor as plan, PLAYBOOKS, toRootCause } from "./index.js";
import { ESTATE_CALLS } from "./test-estate.js";
import type { PlaybookContext, WorkloadFacts } from "./types.js";

const now = new Date("2026-11-23T10:00:00.000Z");
const ago = (ms: number) => new Date(now.getTime() - ms);
const MIB = 2 ** 20;

/** A finding as the detectors write it, `msAgo` before now. */
const f = (d: Partial<FindingDraft> & Pick<FindingDraft, "name" | "kind">, msAgo = 0): Finding =>
  finding({ source: "watch", cluster: "prod", namespace: "shop", severity: "warning", summary: d.name, evidence: [`${d.name} evidence`], ...d }, ago(msAgo));

const crash = (workload: string, pod: string, extra: Partial<FindingDraft> = {}, msAgo = 0) =>
  f({ name: "pod.crashloop", kind: "crashloop", workload, pod, labels: { restarts: "4", exitCode: "1", lastReason: "Error", workloadKind: "Deployment" }, ...extra }, msAgo);
const oomKill = (workload: string, pod: string) => f({ name: "pod.oomkilled", kind: "oom", workload, pod, labels: { restarts: "3", exitCode: "137", lastReason: "OOMKilled", container: workload } });
const errors = (workload: string) => f({ source: "alertmanager", name: "HighErrorRate", kind: "unknown", workload });

/** Facts of the sandbox estate: revision 2 made at start over a revision 1 that never served. */
const facts = (name: string, o: Partial<WorkloadFacts> = {}): WorkloadFacts => ({
  namespace: "shop",
  name,
  kind: name === "redis-cart" || name === "catalog-db" ? "StatefulSet" : "Deployment",
  replicas: 2,
  available: 2,
  revision: 2,
  revisionAt: ago(3_600_000).toISOString(),
  previousRevision: 1,
  previousRan: false,
  containers: [{ name, memoryLimitBytes: 384 * MIB, cpuLimitMilli: 500 }],
  ...o,
});
/** A revision rolled out a minute ago over one that served. */
const rolled = (name: string, cause: string, o: Partial<WorkloadFacts> = {}) => facts(name, { revision: 3, revisionAt: ago(60_000).toISOString(), previousRevision: 2, previousRan: true, changeCause: cause, ...o });

const ctx = (workloads: WorkloadFacts[] = [], o: Partial<PlaybookContext> = {}): PlaybookContext => ({ cluster: "prod", now, workloads, calls: ESTATE_CALLS, ...o });

type Row = [string, Finding[], PlaybookContext, { kind: string; workload?: string; node?: string; route: "act" | "escalate" | "none"; first?: Partial<Action>; risk?: string }];

const rows: Row[] = [
  ["a crash loop with no rollout behind it", [crash("cart", "cart-a"), crash("cart", "cart-b"), f({ source: "alertmanager", name: "KubePodCrashLooping", kind: "crashloop", workload: "cart" })], ctx([facts("cart")]), { kind: "crashloop", workload: "cart", route: "act", first: { kind: "rollout-restart", target: "cart" }, risk: "low" }],
  ["the same crashes right after a rollout over a healthy revision", [crash("checkout", "checkout-n1"), crash("checkout", "checkout-n2")], ctx([rolled("checkout", "deploy 1.4.3")]), { kind: "bad-rollout", workload: "checkout", route: "act", first: { kind: "rollback", target: "checkout", params: { toRevision: 2 } }, risk: "medium" }],
  ["a rollout whose pods serve 30 % 5xx", [errors("checkout"), f({ source: "prometheus", name: "metric.error-share", kind: "unknown", workload: "checkout", severity: "critical" }), errors("frontend")], ctx([rolled("checkout", "deploy 1.4.3"), facts("frontend")]), { kind: "bad-rollout", workload: "checkout", route: "act", first: { kind: "rollback", target: "checkout" }, risk: "medium" }],
  ["crashes that began before the rollout", [crash("cart", "cart-a", {}, 120_000), crash("cart", "cart-a")], ctx([rolled("cart", "deploy 2.3.2")]), { kind: "crashloop", workload: "cart", route: "act", first: { kind: "rollout-restart" }, risk: "low" }],
  ["OOM kills (137) at a limit the working set sits at", [oomKill("payments", "payments-a"), oomKill("payments", "payments-b"), f({ source: "prometheus", name: "memory.at-limit", kind: "oom", workload: "payments", pod: "payments-a", labels: { workingSetBytes: String(384 * MIB), limitBytes: String(384 * MIB), container: "payments" } })], ctx([facts("payments")]), { kind: "oom", workload: "payments", route: "act", first: { kind: "set-resources", target: "payments", params: { container: "payments", limits: { memory: "768Mi" } } }, risk: "medium" }],
  ["OOM kills whose logs saw 600Mi against a 512Mi limit", [oomKill("checkout", "checkout-a")], ctx([facts("checkout", { containers: [{ name: "checkout", memoryLimitBytes: 512 * MIB }], memoryPeakBytes: 600 * MIB })]), { kind: "oom", workload: "checkout", route: "act", first: { kind: "set-resources", params: { container: "checkout", limits: { memory: "960Mi" } } }, risk: "medium" }],
  ["OOM kills with a working set climbing run after run", [oomKill("frontend", "frontend-a"), f({ source: "prometheus", name: "memory.climbing", kind: "memory-leak", workload: "frontend", pod: "frontend-a", labels: { mibPerMin: "600" } })], ctx([facts("frontend", { replicas: 3, available: 3 })]), { kind: "memory-leak", workload: "frontend", route: "act", first: { kind: "rollout-restart", target: "frontend" }, risk: "low" }],
  ["new pods in ImagePullBackOff after a rollout", [f({ name: "pod.image-pull", kind: "image-pull", workload: "catalog", pod: "catalog-x", labels: { image: "registry.example.com/shop/catalog:3.0.1-rc.1" } }), f({ name: "workload.rollout-stalled", kind: "unknown", workload: "catalog" })], ctx([rolled("catalog", "deploy 3.0.1-rc.1")]), { kind: "image-pull", workload: "catalog", route: "act", first: { kind: "rollback", target: "catalog", params: { toRevision: 2 } }, risk: "medium" }],
  ["a rollout whose pods never become Ready", [f({ name: "pod.not-ready", kind: "unknown", workload: "cart", pod: "cart-n1" }), f({ name: "pod.not-ready", kind: "unknown", workload: "cart", pod: "cart-n2" }), f({ name: "event.unhealthy", kind: "unknown", workload: "cart", pod: "cart-n1", evidence: ["Warning Unhealthy x5: Readiness probe failed: HTTP probe failed with statuscode: 404"] })], ctx([rolled("cart", "deploy readiness path /health/ready", { available: 0 })]), { kind: "probe-failure", workload: "cart", route: "act", first: { kind: "rollback", target: "cart" }, risk: "medium" }],
  ["one replica Running but not Ready while its siblings serve", [f({ name: "pod.not-ready", kind: "unknown", workload: "frontend", pod: "frontend-h" })], ctx([facts("frontend", { replicas: 3, available: 2 })]), { kind: "hung-replica", workload: "frontend", route: "act", first: { kind: "delete-pod", target: "frontend", params: { pod: "frontend-h" } }, risk: "low" }],
  ["redis-cart crashing while cart, checkout and frontend fail", [crash("redis-cart", "redis-cart-0", { labels: { restarts: "3", workloadKind: "StatefulSet" } }), errors("cart"), errors("checkout"), errors("frontend")], ctx([facts("redis-cart", { replicas: 1, available: 0 }), facts("cart"), facts("checkout"), facts("frontend")]), { kind: "dependency-down", workload: "redis-cart", route: "act", first: { kind: "delete-pod", target: "redis-cart", params: { pod: "redis-cart-0" } }, risk: "low" }],
  ["CPU throttling under three times the usual traffic", [f({ source: "alertmanager", name: "CPUThrottlingHigh", kind: "traffic-spike", workload: "frontend" }), f({ source: "prometheus", name: "metric.request-rate-anomaly", kind: "traffic-spike", workload: "frontend", labels: { ratio: "3.00" } })], ctx([facts("frontend", { replicas: 3, available: 3, load: { requestRate: 300, baselineRequestRate: 100, baselineCpuRatio: 0.45 } })]), { kind: "traffic-spike", workload: "frontend", route: "act", first: { kind: "scale", target: "frontend", params: { replicas: 6, from: 3, workloadKind: "Deployment" } }, risk: "low" }],
  ["heavy throttling under a rate spike still ramping (the rate alone would size too small a step)", [f({ source: "prometheus", name: "metric.request-rate-anomaly", kind: "traffic-spike", workload: "frontend", labels: { ratio: "2.40" } })], ctx([facts("frontend", { replicas: 3, available: 3, load: { requestRate: 240, baselineRequestRate: 100, baselineCpuRatio: 0.39, cpuRatio: 0.9, throttledShare: 0.99 } })]), { kind: "traffic-spike", workload: "frontend", route: "act", first: { kind: "scale", target: "frontend", params: { replicas: 6, from: 3, workloadKind: "Deployment" } }, risk: "low" }],
  ["a workload scaled to 0 by ci-bot", [f({ name: "workload.scaled-to-zero", kind: "scaled-to-zero", workload: "payments", labels: { previousReplicas: "2", workloadKind: "Deployment" } }), errors("checkout")], ctx([facts("payments", { replicas: 0, available: 0 })]), { kind: "scaled-to-zero", workload: "payments", route: "act", first: { kind: "scale", params: { replicas: 2, from: 0, workloadKind: "Deployment" } }, risk: "medium" }],
  ["a node NotReady with its pods Unknown", [f({ name: "node.not-ready", kind: "node-not-ready", namespace: "", node: "node-b", labels: { cordoned: "false" } }), f({ name: "pod.node-lost", kind: "node-not-ready", workload: "cart", pod: "cart-a", node: "node-b" })], ctx(), { kind: "node-not-ready", node: "node-b", route: "act", first: { kind: "drain-node", target: "node-b", namespace: "" }, risk: "medium" }],
  ["a node starved by a pod without a memory limit", [f({ name: "node.memory-pressure", kind: "noisy-neighbour", namespace: "", node: "node-c" }), f({ name: "pod.evicted", kind: "noisy-neighbour", workload: "cart", pod: "cart-e", node: "node-c" })], ctx([], { nodes: [{ name: "node-c", pods: [{ namespace: "batch", name: "report-gen-abc-12345", workload: "report-gen", workloadKind: "Deployment", workingSetBytes: 14_000 * MIB }, { namespace: "shop", name: "cart-a", workload: "cart", workloadKind: "Deployment", memoryLimitBytes: 384 * MIB, workingSetBytes: 200 * MIB }] }] }), { kind: "noisy-neighbour", workload: "report-gen", route: "act", first: { kind: "scale", namespace: "batch", target: "report-gen", params: { replicas: 0, workloadKind: "Deployment" } }, risk: "medium" }],
  ["restarted pods failing with CreateContainerConfigError", [f({ name: "pod.config-error", kind: "config-error", workload: "cart", pod: "cart-c" })], ctx([facts("cart")]), { kind: "config-error", workload: "cart", route: "escalate" }],
  ["a surge pod Pending on Insufficient cpu", [f({ name: "pod.unschedulable", kind: "unschedulable", workload: "catalog", pod: "catalog-p" }), f({ name: "event.failed-scheduling", kind: "unschedulable", workload: "catalog", pod: "catalog-p" })], ctx([facts("catalog")]), { kind: "unschedulable", workload: "catalog", route: "escalate" }],
  ["a quota refusing pods", [f({ name: "event.quota-exceeded", kind: "quota-exceeded", workload: "cart" })], ctx([facts("cart")]), { kind: "quota-exceeded", workload: "cart", route: "escalate" }],
  ["a volume 93 % full", [f({ source: "prometheus", name: "volume.filling", kind: "disk-pressure", workload: "catalog-db", labels: { usedFraction: "0.930" } }), f({ source: "alertmanager", name: "KubePersistentVolumeFillingUp", kind: "disk-pressure", workload: "catalog-db", severity: "critical" })], ctx([facts("catalog-db", { replicas: 1, available: 1 })]), { kind: "disk-pressure", workload: "catalog-db", route: "escalate" }],
  ["payments slow on payment-gateway, seen in traces", [f({ source: "alertmanager", name: "HighLatencyP99", kind: "unknown", workload: "payments" }), f({ source: "alertmanager", name: "HighLatencyP99", kind: "unknown", workload: "checkout" })], ctx([facts("payments"), facts("checkout")], { slowCalls: [{ namespace: "shop", workload: "payments", peer: "payment-gateway", p99Ms: 2400 }] }), { kind: "slow-dependency", workload: "payments", route: "escalate" }],
  ["callers timing out after a new NetworkPolicy", [errors("cart"), errors("checkout"), errors("frontend")], ctx([facts("cart"), facts("redis-cart", { replicas: 1, available: 1 })], { changes: [{ kind: "NetworkPolicy", namespace: "shop", name: "restrict-ingress", at: ago(120_000).toISOString(), by: "sec-bot", selects: "redis-cart" }] }), { kind: "network-policy-block", workload: "redis-cart", route: "escalate" }],
  ["a bare pod mining from an unknown registry", [f({ name: "pod.unowned", kind: "rogue-pod", namespace: "dev", pod: "kworkerd-abcde", node: "node-a", labels: { image: "docker.minerhub.example/kdevtmpfsi/kworkerd:latest" } })], ctx(), { kind: "rogue-pod", route: "escalate" }],
  ["a flapping error rate", [f({ source: "prometheus", name: "metric.flapping", kind: "flapping", workload: "checkout" })], ctx([facts("checkout")]), { kind: "flapping", workload: "checkout", route: "none" }],
  ["harmless noise", [f({ source: "logs", name: "logs.routine-errors", kind: "noise", workload: "frontend" })], ctx([facts("frontend")]), { kind: "noise", workload: "frontend", route: "none" }],
];

describe("playbooks", () => {
  it.each(rows)("%s", (_what, findings, c, want) => {
    const [d] = diagnose(findings, c);
    expect(d).toBeDefined();
    if (!d) return;
    expect({ kind: d.kind, workload: d.workload, node: d.node }).toMatchObject({ kind: want.kind, ...(want.workload ? { workload: want.workload } : {}), ...(want.node ? { node: want.node } : {}) });
    expect(d.evidence.length).toBeGreaterThan(0);
    expect(RootCause.safeParse(toRootCause(d)).success).toBe(true);
    const p = plan(d, c);
    expect(p.route).toBe(want.route);
    if (p.route !== "act") return;
    for (const cand of p.candidates) expect(Action.safeParse(cand.action).success, JSON.stringify(cand.action)).toBe(true);
    expect(p.candidates[0]?.action).toMatchObject(want.first ?? {});
    expect(p.candidates[0]?.risk).toBe(want.risk);
  });

  it("has a playbook for every fault kind of the contract", () => {
    expect(Object.keys(PLAYBOOKS).sort()).toEqual([...FAULT_KINDS].sort());
  });

  it("names the dependency as the cause and never proposes to touch its callers", () => {
    const findings = [crash("redis-cart", "redis-cart-0", { labels: { restarts: "3", workloadKind: "StatefulSet" } }), errors("cart"), errors("checkout"), errors("frontend")];
    const c = ctx([facts("redis-cart", { replicas: 1, available: 0 })]);
    const all = diagnose(findings, c);
    expect(all.map((d) => `${d.kind}@${d.workload}`)).toEqual(["dependency-down@redis-cart", "crashloop@redis-cart"]);
    const targets = all.flatMap((d) => { const p = plan(d, c); return p.route === "act" ? p.candidates.map((x) => x.action.target) : []; });
    expect(new Set(targets)).toEqual(new Set(["redis-cart"]));
    expect(all[0]?.ruledOut.join(" ")).toMatch(/shop\/cart: a caller/);
  });

  it("keeps crashloop for a crashing service that calls others (cart), since it is no datastore", () => {
    const [d] = diagnose([crash("cart", "cart-a"), errors("checkout")], ctx([facts("cart")]));
    expect(d?.kind).toBe("crashloop");
  });

  it("does not mistake the estate's first revision (over one that never served) for a bad rollout", () => {
    const fresh = facts("checkout", { revisionAt: ago(5_000).toISOString() });
    expect(diagnose([crash("checkout", "checkout-a")], ctx([fresh]))[0]?.kind).toBe("crashloop");
  });

  it("is less sure of a bad rollout when the previous revision had findings too", () => {
    const sure = diagnose([crash("checkout", "checkout-n1")], ctx([rolled("checkout", "deploy 1.4.3")]))[0];
    const unsure = diagnose([crash("checkout", "checkout-n1")], ctx([rolled("checkout", "deploy 1.4.3", { previousHealthy: false })]))[0];
    expect(sure?.kind).toBe("bad-rollout");
    expect(unsure?.confidence ?? 1).toBeLessThan(sure?.confidence ?? 0);
  });

  it("sizes a scale-up so each pod's CPU stays under its limit, capped at four times in one step, offering a doubling first", () => {
    const spike = [f({ source: "alertmanager", name: "CPUThrottlingHigh", kind: "traffic-spike", workload: "frontend" })];
    const c = ctx([facts("frontend", { replicas: 3, available: 3, load: { requestRate: 2000, baselineRequestRate: 100, baselineCpuRatio: 0.5 } })]);
    const d = diagnose(spike, c)[0];
    const p = d ? plan(d, c) : undefined;
    const candidates = p?.route === "act" ? p.candidates : [];
    expect(candidates.map((x) => [x.action.params, x.risk])).toEqual([
      [{ replicas: 6, from: 3, workloadKind: "Deployment" }, "low"],
      [{ replicas: 12, from: 3, workloadKind: "Deployment" }, "medium"],
    ]);
  });

  it("calls a held request-rate spike with the CPU at its limit now load, sure enough to scale alone; a spike with CPU to spare is not", () => {
    const rate = [f({ source: "prometheus", name: "metric.request-rate-anomaly", kind: "traffic-spike", workload: "frontend", labels: { ratio: "2.90" } })];
    const bound = ctx([facts("frontend", { replicas: 3, available: 3, load: { requestRate: 110, baselineRequestRate: 38, cpuRatio: 0.97, baselineCpuRatio: 0.34, throttledShare: 0.15 } })]);
    const d = diagnose(rate, bound)[0];
    expect(d?.kind).toBe("traffic-spike");
    expect(d?.confidence).toBeGreaterThanOrEqual(0.8);
    expect(d?.evidence.join("\n")).toContain("CPU at 97 % of its limit, 15 % of periods throttled");
    const p = d ? plan(d, bound) : undefined;
    // 110/38 × 0.34 ≈ 0.98 of a pod's limit each at 3 replicas: 5 bring it to ~0.59, within a doubling.
    expect(p?.route === "act" ? p.candidates.map((x) => [x.action.params, x.risk]) : []).toEqual([[{ replicas: 5, from: 3, workloadKind: "Deployment" }, "low"]]);
    const spare = ctx([facts("frontend", { replicas: 3, available: 3, load: { requestRate: 110, baselineRequestRate: 38, cpuRatio: 0.3, baselineCpuRatio: 0.1, throttledShare: 0 } })]);
    expect(diagnose(rate, spare).map((x) => x.kind)).not.toContain("traffic-spike");
  });

  it("never scales a StatefulSet under load alone: its new replicas hold data", () => {
    const sat = [f({ source: "prometheus", name: "metric.cpu-saturation", kind: "traffic-spike", workload: "catalog-db" })];
    const c = ctx([facts("catalog-db", { kind: "StatefulSet", replicas: 1, available: 1, load: { cpuRatio: 0.9 } })]);
    const d = diagnose(sat, c)[0];
    const p = d ? plan(d, c) : undefined;
    expect(p?.route === "act" ? p.candidates.map((x) => [x.action.params, x.risk]) : []).toEqual([[{ replicas: 3, from: 1, workloadKind: "StatefulSet" }, "medium"]]);
  });

  it("gives nothing at all for findings no playbook recognises", () => {
    expect(diagnose([f({ name: "workload.replicas-unavailable", kind: "unknown", workload: "cart" })], ctx([facts("cart")]))).toEqual([]);
  });
});
