import { describe, expect, it } from "vitest";
import { IncidentBook } from "./correlator.js";
import { alert, at, crashloop, errorShare, finding, ids, p99 } from "./test-findings.js";

const book = (quietMs?: number) => new IncidentBook({ newId: ids(), ...(quietMs !== undefined ? { quietMs } : {}) });

describe("IncidentBook: dedup and joining", () => {
  it("ignores the same finding twice and leaves the incident unchanged", () => {
    const b = book();
    const f = crashloop("cart", "cart-7d9f8b6c5d-x2x9z");
    const first = b.ingest(f, at(0));
    expect(first.type).toBe("opened");
    const before = structuredClone(b.get("inc-1"));
    expect(b.ingest(f, at(5))).toEqual({ type: "duplicate", incidentId: "inc-1" });
    expect(b.ingest({ ...f, id: "another-id" }, at(6))).toEqual({ type: "duplicate", incidentId: "inc-1" });
    expect(b.get("inc-1")).toEqual(before);
  });

  it("treats a repeated Alertmanager notification of one alert as a duplicate, whenever it arrives", () => {
    const b = book();
    const labels = { namespace: "shop", pod: "cart-7d9f8b6c5d-x2x9z", workload: "cart", node: "node-a" };
    expect(b.ingest(alert("KubePodCrashLooping", labels, 0), at(0)).type).toBe("opened");
    const before = structuredClone(b.get("inc-1"));
    expect(b.ingest(alert("KubePodCrashLooping", labels, 300), at(300))).toEqual({ type: "duplicate", incidentId: "inc-1" });
    expect(b.get("inc-1")).toEqual(before);
  });

  it("joins a late alert to the incident the watch opened", () => {
    const b = book();
    const opened = b.ingest(crashloop("cart", "cart-7d9f8b6c5d-x2x9z"), at(0));
    const late = b.ingest(alert("KubePodCrashLooping", { namespace: "shop", pod: "cart-7d9f8b6c5d-x2x9z", workload: "cart" }, 95), at(95));
    expect(opened.type).toBe("opened");
    expect(late).toMatchObject({ type: "joined", asSymptom: false, incident: { id: "inc-1" } });
    expect(b.get("inc-1")?.signals.map((s) => `${s.source}:${s.name}`)).toEqual(["watch:pod.crashloop", "alertmanager:KubePodCrashLooping"]);
    expect(b.openIncidents()).toHaveLength(1);
  });

  it("keeps a resolved incident closed against a late alert, and opens a new one for a new occurrence", () => {
    const b = book(180_000);
    b.ingest(crashloop("cart", "cart-7d9f8b6c5d-x2x9z"), at(0));
    expect(b.resolve("inc-1", at(60)).map((i) => i.status)).toEqual(["resolved"]);
    const late = b.ingest(alert("KubePodCrashLooping", { namespace: "shop", workload: "cart", pod: "cart-7d9f8b6c5d-x2x9z" }, 120), at(120));
    expect(late).toEqual({ type: "stale", incidentId: "inc-1" });
    expect(b.openIncidents()).toHaveLength(0);
    const again = b.ingest(crashloop("cart", "cart-7d9f8b6c5d-k8r2p", 60 + 181), at(60 + 181));
    expect(again).toMatchObject({ type: "opened", incident: { id: "inc-2", fingerprint: "prod/shop/cart/service" } });
    expect(b.get("inc-1")?.fingerprint).toBe("prod/shop/cart/service");
  });

  it("takes a fix's lagging symptoms as its tail, but not a different fault named on the same workload", () => {
    const b = book(180_000);
    b.ingest(finding({ name: "memory.climbing", kind: "memory-leak", workload: "frontend", pod: "frontend-594d9964b8-472rq" }), at(0));
    b.resolve("inc-1", at(10));
    expect(b.ingest(finding({ source: "prometheus", name: "metric.error-share", kind: "unknown", workload: "frontend" }, 30), at(30))).toEqual({ type: "stale", incidentId: "inc-1" });
    expect(b.ingest(finding({ name: "memory.climbing", kind: "memory-leak", workload: "frontend", pod: "frontend-594d9964b8-9xk2p" }, 40), at(40))).toEqual({ type: "stale", incidentId: "inc-1" });
    const spike = b.ingest(finding({ source: "prometheus", name: "metric.request-rate-anomaly", kind: "traffic-spike", workload: "frontend" }, 50), at(50));
    expect(spike).toMatchObject({ type: "opened", incident: { id: "inc-2", fingerprint: "prod/shop/frontend/service" } });
  });

  it("takes no tail for an incident closed as nothing broken: the fault that follows opens its own", () => {
    const b = book(180_000);
    b.ingest(crashloop("cart", "cart-7d9f8b6c5d-x2x9z"), at(0));
    b.resolve("inc-1", at(10), { tail: false });
    const next = b.ingest(alert("KubePodCrashLooping", { namespace: "shop", workload: "cart", pod: "cart-7d9f8b6c5d-x2x9z" }, 30), at(30));
    expect(next).toMatchObject({ type: "opened", incident: { id: "inc-2" } });
  });

  it("lets a flap join an open incident but never open one when the book is told so", () => {
    const b = new IncidentBook({ newId: ids(), opens: (f) => f.kind !== "flapping" });
    const flap = { ...crashloop("cart", "cart-7d9f8b6c5d-x2x9z"), id: "flap", source: "prometheus" as const, name: "metric.flapping", kind: "flapping" as const };
    expect(b.ingest(flap, at(0))).toEqual({ type: "ignored", reason: "flapping alone opens no incident" });
    expect(b.openIncidents()).toEqual([]);
    b.ingest(crashloop("cart", "cart-7d9f8b6c5d-x2x9z", 5), at(5));
    expect(b.ingest({ ...flap, id: "flap-2", at: at(10).toISOString() }, at(10))).toMatchObject({ type: "joined", incident: { id: "inc-1" } });
  });

  it("names the most specific kind the evidence supports and keeps the worst severity", () => {
    const b = book();
    b.ingest(finding({ name: "workload.replicas-unavailable", workload: "checkout" }), at(0));
    b.ingest(crashloop("checkout", "checkout-6b7c9d8f5-abcde", 1), at(1));
    b.ingest(finding({ name: "rollout.recent", kind: "bad-rollout", workload: "checkout" }, 2), at(2));
    const inc = b.get("inc-1");
    expect(inc).toMatchObject({ severity: "critical", rootCause: { kind: "bad-rollout", workload: "checkout" } });
  });
});

describe("IncidentBook: root cause over the call graph", () => {
  const symptomsOfRedisDown = (from: number) => [
    alert("HighErrorRate", { namespace: "shop", service: "cart", severity: "critical" }, from),
    errorShare("checkout", from + 1, ['{"level":"error","msg":"upstream request failed","upstream":"cart.shop.svc.cluster.local"}']),
    p99("checkout", from + 2),
    alert("HighErrorRate", { namespace: "shop", service: "frontend" }, from + 3),
  ];

  it("roots dependency-down at redis-cart and folds cart, checkout and frontend in as symptoms", () => {
    const b = book();
    b.ingest(crashloop("redis-cart", "redis-cart-0"), at(0));
    for (const f of symptomsOfRedisDown(10)) expect(b.ingest(f, at(20))).toMatchObject({ type: "joined", asSymptom: true, incident: { id: "inc-1" } });
    expect(b.openIncidents()).toHaveLength(1);
    expect(b.get("inc-1")).toMatchObject({ workload: "redis-cart", rootCause: { workload: "redis-cart", kind: "crashloop" } });
    expect(b.symptomsOf("inc-1").services).toEqual(["shop/cart", "shop/checkout", "shop/frontend"]);
    expect(b.isSymptomTarget("prod", "shop", "cart")).toBe(true);
    expect(b.isSymptomTarget("prod", "shop", "frontend")).toBe(true);
    expect(b.isSymptomTarget("prod", "shop", "redis-cart")).toBe(false);
  });

  it("folds a spike's callees (more requests, nothing of their own) into the caller's incident, whichever is seen first", () => {
    const b = book();
    const spike = (workload: string) => finding({ source: "prometheus", name: "metric.request-rate-anomaly", kind: "traffic-spike", workload, summary: `${workload} request-rate at 2.9× its baseline` }, 0);
    // The telemetry round reads the services in name order: the callees come before frontend.
    for (const w of ["cart", "catalog", "checkout", "frontend", "payments"]) b.ingest(spike(w), at(0));
    const roots = b.openIncidents().filter((i) => !b.isSymptom(i.id));
    expect(roots.map((i) => i.workload)).toEqual(["frontend"]);
    expect(roots[0]?.rootCause).toMatchObject({ kind: "traffic-spike", workload: "frontend" });
    expect(b.isSymptomTarget("prod", "shop", "catalog")).toBe(true);
    // A callee whose own CPU is saturated as well is a root of its own: it needs capacity too.
    b.ingest(finding({ source: "prometheus", name: "metric.cpu-saturation", kind: "traffic-spike", workload: "catalog" }, 70), at(70));
    expect(b.isSymptomTarget("prod", "shop", "catalog")).toBe(false);
    expect(b.isSymptomTarget("prod", "shop", "cart")).toBe(true);
  });

  it("moves a caller's incident under redis-cart when the crash is seen after the callers' alerts", () => {
    const b = book();
    const [cart, ...rest] = symptomsOfRedisDown(0);
    expect(b.ingest(cart!, at(0))).toMatchObject({ type: "opened", incident: { id: "inc-1", workload: "cart" } });
    const root = b.ingest(crashloop("redis-cart", "redis-cart-0", 5), at(5));
    expect(root).toMatchObject({ type: "opened", incident: { id: "inc-2", rootCause: { workload: "redis-cart" } }, absorbed: ["inc-1"] });
    for (const f of rest) b.ingest(f, at(10));
    expect(b.isSymptom("inc-1")).toBe(true);
    expect(b.rootOf("inc-1")).toBe("inc-2");
    expect(b.get("inc-1")?.rootCause).toMatchObject({ workload: "redis-cart" });
    expect(b.openIncidents().filter((i) => !b.isSymptom(i.id)).map((i) => i.workload)).toEqual(["redis-cart"]);
    // Resolving the root closes its symptoms, and their late alerts are stale.
    expect(b.resolve("inc-2", at(60)).map((i) => i.id).sort()).toEqual(["inc-1", "inc-2"]);
    expect(b.ingest(alert("HighErrorRate", { namespace: "shop", service: "checkout" }, 90), at(90))).toEqual({ type: "stale", incidentId: "inc-2" });
  });

  it("roots a network-policy-block at the silent target its callers time out on", () => {
    const b = book();
    const timeout = '{"level":"error","msg":"upstream request failed","upstream":"catalog.shop.svc.cluster.local","error":"dial tcp catalog.shop.svc.cluster.local: i/o timeout"}';
    const first = b.ingest(errorShare("frontend", 0, [timeout]), at(0));
    b.ingest(finding({ source: "logs", name: "logs.upstream-timeouts", namespace: "batch", workload: "report-gen", evidence: [timeout] }, 3), at(3));
    b.ingest(p99("frontend", 4, [timeout]), at(4));
    expect(first).toMatchObject({ type: "opened", incident: { workload: "catalog", rootCause: { kind: "network-policy-block", workload: "catalog" } } });
    expect(b.openIncidents()).toHaveLength(1);
    expect(b.symptomsOf("inc-1").services).toEqual(["batch/report-gen", "shop/frontend"]);
  });

  it("roots a slow external gateway at payments, the service that calls it, and checkout's latency is its symptom", () => {
    const b = book();
    b.ingest(p99("payments", 0, ['{"level":"warn","msg":"upstream request slow","upstream":"payment-gateway","duration_ms":2210}']), at(0));
    b.ingest(p99("checkout", 5), at(5));
    b.ingest(finding({ source: "alertmanager", name: "HighLatencyP99", workload: "frontend", labels: { service: "frontend" } }, 8), at(8));
    expect(b.openIncidents()).toHaveLength(1);
    expect(b.get("inc-1")).toMatchObject({ workload: "payments", rootCause: { kind: "slow-dependency", workload: "payments" } });
    expect(b.get("inc-1")?.rootCause?.summary).toContain("payment-gateway");
    expect(b.isSymptomTarget("prod", "shop", "checkout")).toBe(true);
  });

  it("opens two incidents for two independent faults", () => {
    const b = book();
    b.ingest(crashloop("catalog", "catalog-5f6d7c8b9-abcde"), at(0));
    b.ingest(finding({ name: "pod.oomkilled", kind: "oom", workload: "payments", pod: "payments-7c8d9f6b5-zzxwq" }, 2), at(2));
    b.ingest(errorShare("checkout", 4), at(4));
    const roots = b.openIncidents().filter((i) => !b.isSymptom(i.id));
    expect(roots.map((i) => `${i.workload}:${i.rootCause?.kind}`).sort()).toEqual(["catalog:crashloop", "payments:oom"]);
    expect(b.symptomsOf(roots.find((i) => i.workload === "payments")!.id).services).toEqual(["shop/checkout"]);
  });

  it("keeps a caller's own crash an incident of its own while its dependency is down", () => {
    const b = book();
    b.ingest(crashloop("redis-cart", "redis-cart-0"), at(0));
    b.ingest(crashloop("cart", "cart-7d9f8b6c5d-x2x9z", 3), at(3));
    expect(b.openIncidents().filter((i) => !b.isSymptom(i.id)).map((i) => i.workload).sort()).toEqual(["cart", "redis-cart"]);
  });

  it("leaves a bad rollout's errors on the workload that serves them when nothing below it fails", () => {
    const b = book();
    b.ingest(errorShare("checkout", 0), at(0));
    expect(b.get("inc-1")).toMatchObject({ workload: "checkout", rootCause: { workload: "checkout" } });
    expect(b.isSymptom("inc-1")).toBe(false);
  });

  it("keeps the detector's kind for a workload whose own symptoms no dependency explains (a flap)", () => {
    const b = book();
    b.ingest(finding({ source: "prometheus", name: "metric.flapping", kind: "flapping", workload: "checkout", summary: "checkout error-share crossed its threshold 3 times" }), at(0));
    expect(b.get("inc-1")?.rootCause).toMatchObject({ kind: "flapping", workload: "checkout" });
  });

  it("folds pods lost on a NotReady node into the node's incident", () => {
    const b = book();
    b.ingest(finding({ name: "node.not-ready", kind: "node-not-ready", namespace: "", node: "node-b", severity: "critical" }), at(0));
    const pod = b.ingest(finding({ name: "pod.not-ready", workload: "checkout", pod: "checkout-6b7c9d8f5-abcde", node: "node-b" }, 4), at(4));
    const lost = b.ingest(finding({ name: "pod.node-lost", kind: "node-not-ready", workload: "frontend", pod: "frontend-6b7c9d8f5-bcdfg", node: "node-b" }, 5), at(5));
    expect(pod).toMatchObject({ type: "joined", asSymptom: true, incident: { id: "inc-1" } });
    expect(lost).toMatchObject({ type: "joined", incident: { id: "inc-1" } });
    expect(b.openIncidents()).toHaveLength(1);
    expect(b.get("inc-1")?.rootCause).toMatchObject({ kind: "node-not-ready", node: "node-b" });
    expect(b.isSymptomTarget("prod", "shop", "checkout")).toBe(true);
  });
});
