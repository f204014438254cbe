import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePolicyKeys, type Action } from "@autodevops/shared";
import { connectInMemory, textOf } from "../testing/connect.js";
import { eventually, SCARLET_USER, startK8sFixture, type K8sFixture } from "./test-fixture.js";

type WriteData = { dryRun: boolean; changed: boolean; diff: string; state: Record<string, unknown>; evictions?: Array<{ pod: string; outcome: string; message?: string }>; notes: string[] };
type Result = { isError?: boolean; structuredContent?: WriteData; content: unknown[] };

let f: K8sFixture;
let conn: Awaited<ReturnType<typeof connectInMemory>>;

const toolOf = (a: Action) => a.kind.replace(/-/g, "_");
const callAction = async (a: Action, extra: { dryRun?: boolean; decision?: string } = {}) =>
  (await conn.client.callTool({ name: toolOf(a), arguments: { cluster: a.cluster, namespace: a.namespace, target: a.target, params: a.params, ...extra } })) as Result;
const ok = (r: Result): WriteData => {
  if (r.isError) throw new Error(textOf(r));
  return r.structuredContent as WriteData;
};

async function runningPodOf(app: string, namespace = "shop"): Promise<{ name: string; node: string }> {
  return eventually(async () => {
    const pods = await f.adminCore.listNamespacedPod({ namespace, labelSelector: `app=${app}` });
    const p = pods.items.find((x) => x.status?.phase === "Running" && !x.metadata?.deletionTimestamp);
    return p ? { name: p.metadata?.name ?? "", node: p.spec?.nodeName ?? "" } : undefined;
  }, `a running ${app} pod`);
}

beforeAll(async () => {
  f = await startK8sFixture();
  conn = await connectInMemory(f.spec());
  await runningPodOf("cart");
}, 120_000);
afterAll(async () => {
  await conn?.close();
  await f?.sandbox.stop();
});

/** One case per action kind: the action, and the mutations its real run must leave. */
const cases: Array<{ name: string; action: () => Promise<Action>; expected: (a: Action) => Array<Record<string, unknown>>; check?: (a: Action) => Promise<void> }> = [
  {
    name: "delete-pod",
    action: async () => ({ kind: "delete-pod", cluster: "prod", namespace: "shop", target: "cart", params: { pod: (await runningPodOf("cart")).name } }),
    expected: (a) => [{ verb: "delete", resource: "pods", name: (a.params as { pod: string }).pod, action: "delete-pod" }],
  },
  {
    name: "rollout-restart",
    action: async () => ({ kind: "rollout-restart", cluster: "prod", namespace: "shop", target: "checkout", params: { workloadKind: "Deployment" } }),
    expected: () => [{ verb: "patch", resource: "deployments", name: "checkout", action: "rollout-restart" }],
    check: async () => {
      const d = await f.adminApps.readNamespacedDeployment({ name: "checkout", namespace: "shop" });
      expect(d.spec?.template.metadata?.annotations?.["kubectl.kubernetes.io/restartedAt"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    },
  },
  {
    name: "rollback",
    action: async () => ({ kind: "rollback", cluster: "prod", namespace: "shop", target: "payments", params: {} }),
    expected: () => [{ verb: "patch", resource: "deployments", name: "payments", action: "rollback" }],
    check: async () => {
      // The restored ReplicaSet takes the next revision number, as in a real cluster; its template is the deployment's again.
      const d = await f.adminApps.readNamespacedDeployment({ name: "payments", namespace: "shop" });
      const rss = await f.adminApps.listNamespacedReplicaSet({ namespace: "shop" });
      const owned = rss.items.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === d.metadata?.uid));
      const oldest = owned.sort((x, y) => new Date(x.metadata?.creationTimestamp ?? 0).getTime() - new Date(y.metadata?.creationTimestamp ?? 0).getTime())[0];
      expect(d.spec?.template.spec?.containers[0]?.image).toBe(oldest?.spec?.template?.spec?.containers[0]?.image);
      expect(d.metadata?.annotations?.["kubernetes.io/change-cause"]).toBe(oldest?.metadata?.annotations?.["kubernetes.io/change-cause"]);
      expect(d.spec?.template.metadata?.labels?.["pod-template-hash"]).toBeUndefined();
    },
  },
  {
    name: "scale",
    action: async () => ({ kind: "scale", cluster: "prod", namespace: "shop", target: "catalog", params: { replicas: 3, from: 2, workloadKind: "Deployment" } }),
    expected: () => [{ verb: "patch", resource: "deployments", name: "catalog", subresource: "scale", action: "scale" }],
    check: async () => expect((await f.adminApps.readNamespacedDeployment({ name: "catalog", namespace: "shop" })).spec?.replicas).toBe(3),
  },
  {
    name: "set-resources",
    action: async () => ({ kind: "set-resources", cluster: "prod", namespace: "shop", target: "frontend", params: { limits: { memory: "1Gi" } } }),
    expected: () => [{ verb: "patch", resource: "deployments", name: "frontend", action: "set-resources" }],
    check: async () => {
      const c = (await f.adminApps.readNamespacedDeployment({ name: "frontend", namespace: "shop" })).spec?.template.spec?.containers[0];
      expect(c?.resources?.limits?.memory).toBe("1Gi");
      expect(c?.resources?.requests?.memory).toBeDefined();
    },
  },
  {
    name: "cordon-node",
    action: async () => ({ kind: "cordon-node", cluster: "staging", namespace: "", target: "node-c", params: {} }),
    expected: () => [{ verb: "patch", resource: "nodes", name: "node-c", action: "cordon-node" }],
    check: async () => expect((await f.sandbox.clusters.find((c) => c.name === "staging")?.store.get("nodes", undefined, "node-c"))?.spec?.unschedulable).toBe(true),
  },
];

describe.each(cases)("$name", ({ action, expected, check }) => {
  it("previews the change as a diff on a dry run, without a decision, and changes nothing", async () => {
    const a = await action();
    const since = new Date();
    const r = ok(await callAction(a, { dryRun: true }));
    expect(r).toMatchObject({ dryRun: true, changed: true });
    expect(r.diff).toMatch(/^={10,}\n--- a\/\S+\n\+\+\+ b\/\S+\n@@ /);
    expect(r.diff.split("\n").some((l) => l.startsWith("+") && !l.startsWith("+++")) || r.diff.split("\n").some((l) => l.startsWith("-") && !l.startsWith("---"))).toBe(true);
    expect(f.changes(since)).toEqual([]);
  });

  it("refuses without a decision and changes nothing", async () => {
    const a = await action();
    const since = new Date();
    const r = await callAction(a);
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/^refused: missing decision: a \S+ needs a decision token/);
    expect(f.changes(since)).toEqual([]);
  });

  it("makes the change with a valid decision, as the mutation kubectl would, by the scarlet user", async () => {
    const a = await action();
    const since = new Date();
    const r = ok(await callAction(a, { decision: f.sign(a) }));
    expect(r).toMatchObject({ dryRun: false, changed: true });
    expect(r.diff).not.toBe("");
    const changes = f.changes(since);
    expect(changes).toEqual(expected(a).map((m) => expect.objectContaining({ ...m, cluster: a.cluster, user: SCARLET_USER })));
    await check?.(a);
  });
});

describe("drain-node", () => {
  it("cordons, then evicts every non-DaemonSet pod through the Eviction API, reporting what a disruption budget refused", async () => {
    const onNode = (await runningPodOf("ingress-gateway", "platform")).node;
    // A budget no ingress-gateway eviction can satisfy: kubectl drain would wait on it; the tool reports it.
    await f.adminPolicy.createNamespacedPodDisruptionBudget({ namespace: "platform", body: { metadata: { name: "gateway-all" }, spec: { minAvailable: 10, selector: { matchLabels: { app: "ingress-gateway" } } } } });
    const a: Action = { kind: "drain-node", cluster: "prod", namespace: "", target: onNode, params: {} };
    const since = new Date();
    const preview = ok(await callAction(a, { dryRun: true }));
    expect(preview.evictions?.some((e) => e.outcome === "would-evict")).toBe(true);
    const gateway = preview.evictions?.filter((e) => e.pod.startsWith("ingress-gateway-")) ?? [];
    expect(gateway.length).toBeGreaterThan(0);
    expect(gateway.every((e) => e.outcome === "refused")).toBe(true);
    expect(preview.diff).toMatch(/\+ {2}unschedulable: true/);
    expect(f.changes(since)).toEqual([]);
    expect(textOf(await callAction(a))).toMatch(/missing decision/);
    expect(f.changes(since)).toEqual([]);

    const r = ok(await callAction(a, { decision: f.sign(a) }));
    const evicted = r.evictions?.filter((e) => e.outcome === "evicted").map((e) => e.pod) ?? [];
    const refused = r.evictions?.filter((e) => e.outcome === "refused") ?? [];
    expect(evicted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((e) => e.pod.startsWith("ingress-gateway-") && /disruption budget/.test(e.message ?? ""))).toBe(true);
    expect(r.notes.join(" ")).toMatch(/refused/);
    const changes = f.changes(since);
    expect(changes[0]).toMatchObject({ verb: "patch", resource: "nodes", name: onNode, action: "cordon-node", user: SCARLET_USER });
    expect(changes.slice(1)).toEqual(evicted.map((pod) => expect.objectContaining({ verb: "create", resource: "pods", subresource: "eviction", name: pod, action: "drain-node", user: SCARLET_USER })));
    expect(changes.some((m) => m.verb === "delete")).toBe(false);
  }, 60_000);
});

describe("the decision gate", () => {
  const scale = (target: string, replicas: number): Action => ({ kind: "scale", cluster: "prod", namespace: "batch", target, params: { replicas, workloadKind: "Deployment" } });
  const refusedWith = async (a: Action, decision: string | undefined, pattern: RegExp, via = conn) => {
    const since = new Date();
    const r = (await via.client.callTool({ name: "scale", arguments: { cluster: a.cluster, namespace: a.namespace, target: a.target, params: a.params, ...(decision !== undefined ? { decision } : {}) } })) as Result;
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(pattern);
    expect(textOf(r)).toMatch(/nothing was changed/);
    expect(f.changes(since)).toEqual([]);
  };

  it("refuses a decision signed by another key", async () => {
    const a = scale("report-gen", 2);
    await refusedWith(a, f.sign(a, { privateKeyPem: generatePolicyKeys().privateKeyPem }), /bad signature decision/);
  });

  it("refuses a decision for another target, or other params", async () => {
    await refusedWith(scale("report-gen", 2), f.sign({ ...scale("report-gen", 2), target: "catalog", namespace: "shop" }), /action mismatch decision: the decision allows scale prod\/shop\/catalog/);
    await refusedWith(scale("report-gen", 2), f.sign(scale("report-gen", 5)), /action mismatch/);
  });

  it("refuses an expired decision", async () => {
    const a = scale("report-gen", 2);
    await refusedWith(a, f.sign(a, { now: new Date(Date.now() - 15 * 60_000), ttlSeconds: 60 }), /expired decision: the decision expired at/);
  });

  it("refuses a malformed token", async () => {
    await refusedWith(scale("report-gen", 2), "not-a-token", /malformed decision/);
  });

  it("takes a decision once, and refuses it replayed", async () => {
    const a = scale("report-gen", 2);
    const token = f.sign(a);
    ok((await conn.client.callTool({ name: "scale", arguments: { ...a, decision: token } })) as Result);
    await refusedWith(a, token, /replayed decision: decision \S+ was already used/);
  });

  it("refuses every write when the server has no policy key, but still previews", async () => {
    const keyless = await connectInMemory(f.spec({ policyPublicKeyPem: undefined }));
    try {
      const a = scale("report-gen", 3);
      await refusedWith(a, f.sign(a), /no POLICY_PUBLIC_KEY/, keyless);
      const preview = (await keyless.client.callTool({ name: "scale", arguments: { ...a, dryRun: true } })) as Result;
      expect(preview.isError).toBeFalsy();
    } finally {
      await keyless.close();
    }
  });

  it("refuses a pod that is not the target's, and a scale from a stale replica count", async () => {
    const pod = (await runningPodOf("checkout")).name;
    const wrong: Action = { kind: "delete-pod", cluster: "prod", namespace: "shop", target: "cart", params: { pod } };
    const r = await callAction(wrong, { dryRun: true });
    expect(textOf(r)).toMatch(new RegExp(`pod shop/${pod} belongs to checkout, not cart`));
    const stale: Action = { kind: "scale", cluster: "prod", namespace: "shop", target: "payments", params: { replicas: 4, from: 7, workloadKind: "Deployment" } };
    expect(textOf(await callAction(stale, { dryRun: true }))).toMatch(/has 2 replicas, not 7 \(params.from\)/);
  });
});

describe("malformed write calls", () => {
  it.each([
    ["a bad cluster name", { cluster: "moon", namespace: "shop", target: "cart", params: { replicas: 2 }, dryRun: true }, /unknown cluster "moon"/],
    ["a missing target", { cluster: "prod", namespace: "shop", params: { replicas: 2 }, dryRun: true }, /target/],
    ["replicas: -1", { cluster: "prod", namespace: "shop", target: "cart", params: { replicas: -1 }, dryRun: true }, /replicas/],
    ["an unknown param", { cluster: "prod", namespace: "shop", target: "cart", params: { replicas: 2, force: true }, dryRun: true }, /force/],
  ])("answers %s with isError naming the fix", async (_what, args, pattern) => {
    const since = new Date();
    const r = (await conn.client.callTool({ name: "scale", arguments: args })) as Result;
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(pattern);
    expect(f.changes(since)).toEqual([]);
  });
});
