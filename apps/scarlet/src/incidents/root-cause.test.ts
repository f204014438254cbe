import type { RootCauseKind } from "@autodevops/shared";
import { describe, expect, it } from "vitest";
import { buildCallGraph, callGraphFromWorkloads, ESTATE_CALL_GRAPH } from "./call-graph.js";
import type { SymptomClass } from "./evidence.js";
import { judgeRoot, localize, type ServiceEvidence } from "./root-cause.js";

const graph = buildCallGraph(ESTATE_CALL_GRAPH);
const own = (...kinds: RootCauseKind[]): ServiceEvidence => ({ ownKinds: new Set(kinds), explains: new Set(["errors", "latency"]), symptoms: new Set(), symptomKinds: new Set(), blames: new Set() });
const shows = (symptoms: SymptomClass[], blames: string[] = []): ServiceEvidence => ({ ownKinds: new Set(), explains: new Set(), symptoms: new Set(symptoms), symptomKinds: new Set(), blames: new Set(blames) });

describe("call graph", () => {
  it("resolves the estate's calls across namespaces", () => {
    expect(graph.callees("platform/ingress-gateway")).toEqual(["shop/frontend"]);
    expect(graph.callees("batch/report-gen")).toEqual(["shop/catalog"]);
    expect(graph.callers("shop/catalog")).toEqual(["shop/frontend", "batch/report-gen"]);
    expect(graph.callees("shop/payments")).toEqual(["payment-gateway"]);
    expect(graph.external.has("payment-gateway")).toBe(true);
  });

  it("refuses a config whose callee names nothing", () => {
    expect(() => buildCallGraph({ services: [{ namespace: "shop", name: "cart", calls: ["redis"] }] })).toThrow(/cart calls redis/);
  });

  it("builds from workload specs shaped as the sandbox's estate", () => {
    const g = buildCallGraph(callGraphFromWorkloads([{ name: "api", namespace: "a", calls: ["db"] }, { name: "db", namespace: "a", calls: [] }], []));
    expect(g.callers("a/db")).toEqual(["a/api"]);
  });
});

describe("localize", () => {
  it("walks past failing intermediates to the deepest failing dependency", () => {
    const loc = localize(graph, new Map([
      ["shop/redis-cart", own("crashloop")],
      ["shop/cart", shows(["errors"])],
      ["shop/checkout", shows(["errors", "latency"])],
      ["shop/frontend", shows(["errors"])],
      ["platform/ingress-gateway", shows(["latency"])],
    ]));
    for (const s of ["shop/cart", "shop/checkout", "shop/frontend", "platform/ingress-gateway"]) expect(loc.rootOf(s)).toBe("shop/redis-cart");
    expect(loc.isSymptom("shop/cart")).toBe(true);
    expect(loc.isSymptom("shop/redis-cart")).toBe(false);
  });

  it("does not blame a dependency whose evidence cannot explain the symptom", () => {
    // catalog-db only serves errors (fast failures): frontend's latency is its own.
    const loc = localize(graph, new Map([["shop/catalog-db", shows(["errors"])], ["shop/catalog", shows(["errors"])], ["shop/frontend", shows(["latency"])]]));
    expect(loc.rootOf("shop/catalog")).toBe("shop/catalog-db");
    expect(loc.rootOf("shop/frontend")).toBe("shop/frontend");
  });

  it("names a blamed callee that reports nothing as the root", () => {
    const loc = localize(graph, new Map([["shop/frontend", shows(["errors", "latency"], ["shop/catalog"])]]));
    expect(loc.rootOf("shop/frontend")).toBe("shop/catalog");
    expect(judgeRoot(graph, "shop/catalog", undefined, ["shop/frontend"]).kind).toBe("network-policy-block");
  });

  it("survives a cycle in a configured graph", () => {
    const g = buildCallGraph({ services: [{ namespace: "x", name: "a", calls: ["b"] }, { namespace: "x", name: "b", calls: ["a"] }] });
    const loc = localize(g, new Map([["x/a", shows(["errors"])], ["x/b", shows(["errors"])]]));
    expect(["x/a", "x/b"]).toContain(loc.rootOf("x/a"));
  });

  it("calls a crashed dependency of unknown kind dependency-down when its callers suffer", () => {
    expect(judgeRoot(graph, "shop/redis-cart", own("unknown"), ["shop/cart"])).toMatchObject({ kind: "dependency-down" });
    expect(judgeRoot(graph, "shop/redis-cart", own("crashloop", "unknown"), [])).toMatchObject({ kind: "crashloop" });
  });
});
