import { afterEach, describe, expect, it } from "vitest";
import { createDefaultBehaviour } from "./container-behaviour.js";
import { typed, type Deployment, type ReplicaSet } from "./kube-shapes.js";
import { deploymentInput, eventsFor, isRunningReady, mustCreate, podsWith, startTestCluster, waitFor, type TestCluster } from "./test-cluster.js";

let cluster: TestCluster | undefined;
afterEach(() => {
  cluster?.stop();
  expect(cluster?.problems ?? []).toEqual([]);
  cluster = undefined;
});

const replicaSets = (c: TestCluster, name: string) =>
  c.store
    .list("apps/replicasets", { namespace: "shop" })
    .items.map((o) => typed<ReplicaSet>(o))
    .filter((rs) => rs.metadata.ownerReferences?.[0]?.name === name);
const deployment = (c: TestCluster, name: string) => typed<Deployment>(c.store.get("apps/deployments", "shop", name)!);

describe("deployment controller", () => {
  it("runs a Deployment as one ReplicaSet of Running, Ready pods spread over the nodes", async () => {
    cluster = startTestCluster();
    const c = cluster;
    mustCreate(c.store, "apps/deployments", deploymentInput("web", "shop", { replicas: 3 }));
    await waitFor("3 available replicas", () => deployment(c, "web").status?.availableReplicas === 3);
    const [rs, ...others] = replicaSets(c, "web");
    expect(others).toEqual([]);
    expect(rs?.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("1");
    const hash = rs?.metadata.labels?.["pod-template-hash"];
    expect(rs?.metadata.name).toBe(`web-${hash}`);
    const pods = podsWith(c.store, "shop", { app: "web" });
    expect(pods).toHaveLength(3);
    expect(pods.every(isRunningReady)).toBe(true);
    expect(new Set(pods.map((p) => p.spec?.nodeName)).size).toBe(3);
    expect(eventsFor(c.store, "web", "ScalingReplicaSet")[0]?.message).toBe(`Scaled up replica set ${rs?.metadata.name} from 0 to 3`);
    const status = deployment(c, "web").status;
    expect(status?.conditions?.map((x) => [x.type, x.status, x.reason])).toEqual([
      ["Available", "True", "MinimumReplicasAvailable"],
      ["Progressing", "True", "NewReplicaSetAvailable"],
    ]);
  });
});

type Template = NonNullable<NonNullable<Deployment["spec"]>["template"]>;

function setImage(c: TestCluster, name: string, image: string, changeCause: string): void {
  const r = c.store.mutate("apps/deployments", "shop", name, (o) => {
    const d = typed<Deployment>(o);
    const container = d.spec?.template?.spec?.containers?.[0];
    if (container) container.image = image;
    o.metadata.annotations = { ...(o.metadata.annotations ?? {}), "kubernetes.io/change-cause": changeCause };
  });
  if (!r.ok) throw new Error(r.error.message);
}

/** What `kubectl rollout undo` sends: the ReplicaSet's template without its hash label, and its change-cause. */
function undoTo(c: TestCluster, name: string, rs: ReplicaSet): void {
  const template = structuredClone(rs.spec?.template ?? {}) as Template;
  delete template.metadata?.labels?.["pod-template-hash"];
  const r = c.store.mutate("apps/deployments", "shop", name, (o) => {
    o.spec = { ...(o.spec ?? {}), template };
    o.metadata.annotations = { ...(o.metadata.annotations ?? {}), "kubernetes.io/change-cause": rs.metadata.annotations?.["kubernetes.io/change-cause"] ?? "" };
  });
  if (!r.ok) throw new Error(r.error.message);
}

const revision = (rs: ReplicaSet | undefined) => rs?.metadata.annotations?.["deployment.kubernetes.io/revision"];

describe("deployment rollouts", () => {
  it("rolls a new template out as revision 2 without dropping below replicas - maxUnavailable, and an undo makes revision 1's ReplicaSet revision 3", async () => {
    cluster = startTestCluster();
    const c = cluster;
    mustCreate(c.store, "apps/deployments", deploymentInput("web", "shop", { replicas: 4, annotations: { "kubernetes.io/change-cause": "deploy 1.0.0" } }));
    await waitFor("4 available replicas", () => deployment(c, "web").status?.availableReplicas === 4);
    const first = replicaSets(c, "web")[0];

    let minReady = Infinity;
    let maxPods = 0;
    const watch = c.store.watch("pods", { sinceRevision: c.store.revision }, () => {
      const pods = podsWith(c.store, "shop", { app: "web" }).filter((p) => !p.metadata.deletionTimestamp);
      minReady = Math.min(minReady, pods.filter(isRunningReady).length);
      maxPods = Math.max(maxPods, pods.length);
    });
    if (!watch.ok) throw new Error(watch.error.message);
    setImage(c, "web", "registry.example.com/shop/web:1.1.0", "deploy 1.1.0");
    await waitFor("the rollout to finish", () => {
      const d = deployment(c, "web");
      const s = d.status;
      return s?.observedGeneration === d.metadata.generation && s?.updatedReplicas === 4 && s.availableReplicas === 4 && s.replicas === 4;
    });
    watch.value();
    expect(minReady).toBeGreaterThanOrEqual(3);
    expect(maxPods).toBeLessThanOrEqual(5);
    const second = replicaSets(c, "web").find((rs) => rs.metadata.name !== first?.metadata.name);
    expect(revision(second)).toBe("2");
    expect(second?.metadata.annotations?.["kubernetes.io/change-cause"]).toBe("deploy 1.1.0");
    expect(replicaSets(c, "web").find((rs) => rs.metadata.name === first?.metadata.name)?.spec?.replicas).toBe(0);
    expect(deployment(c, "web").metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");

    undoTo(c, "web", replicaSets(c, "web").find((rs) => rs.metadata.name === first?.metadata.name)!);
    await waitFor("the undo to finish", () => {
      const rs = replicaSets(c, "web").find((r) => r.metadata.name === first?.metadata.name);
      const s = deployment(c, "web").status;
      return rs?.spec?.replicas === 4 && s?.updatedReplicas === 4 && s.availableReplicas === 4 && s.replicas === 4;
    });
    const back = replicaSets(c, "web").find((rs) => rs.metadata.name === first?.metadata.name);
    expect(replicaSets(c, "web")).toHaveLength(2);
    expect(revision(back)).toBe("3");
    expect(back?.metadata.annotations?.["deployment.kubernetes.io/revision-history"]).toBe("1");
    expect(back?.metadata.annotations?.["kubernetes.io/change-cause"]).toBe("deploy 1.0.0");
    expect(podsWith(c.store, "shop", { app: "web" }).filter((p) => !p.metadata.deletionTimestamp).every((p) => p.spec?.containers?.[0]?.image?.endsWith(":1.0.0"))).toBe(true);
  });

  it("scales the ReplicaSet up and down with spec.replicas, deleting pods with SuccessfulDelete", async () => {
    cluster = startTestCluster();
    const c = cluster;
    mustCreate(c.store, "apps/deployments", deploymentInput("api", "shop", { replicas: 2 }));
    await waitFor("2 available", () => deployment(c, "api").status?.availableReplicas === 2);
    c.store.mutate("apps/deployments", "shop", "api", (o) => void (o.spec = { ...o.spec, replicas: 5 }));
    await waitFor("5 available", () => deployment(c, "api").status?.availableReplicas === 5);
    const rs = replicaSets(c, "api")[0]!;
    expect(eventsFor(c.store, "api", "ScalingReplicaSet").map((e) => e.message)).toContain(`Scaled up replica set ${rs.metadata.name} from 2 to 5`);
    c.store.mutate("apps/deployments", "shop", "api", (o) => void (o.spec = { ...o.spec, replicas: 1 }));
    await waitFor("1 replica", () => deployment(c, "api").status?.replicas === 1 && podsWith(c.store, "shop", { app: "api" }).length === 1, 20_000);
    expect(eventsFor(c.store, "api", "ScalingReplicaSet").map((e) => e.message)).toContain(`Scaled down replica set ${rs.metadata.name} from 5 to 1`);
    expect(eventsFor(c.store, rs.metadata.name, "SuccessfulDelete")).toHaveLength(4);
  });

  it("keeps only revisionHistoryLimit old ReplicaSets", async () => {
    cluster = startTestCluster();
    const c = cluster;
    const input = deploymentInput("cart", "shop", { replicas: 1 });
    (input.spec as { revisionHistoryLimit: number }).revisionHistoryLimit = 1;
    mustCreate(c.store, "apps/deployments", input);
    for (const v of ["1.1.0", "1.2.0", "1.3.0"]) {
      await waitFor("a finished rollout", () => {
        const s = deployment(c, "cart").status;
        return s?.updatedReplicas === 1 && s.replicas === 1 && s.availableReplicas === 1 && s.observedGeneration === deployment(c, "cart").metadata.generation;
      });
      setImage(c, "cart", `registry.example.com/shop/cart:${v}`, `deploy ${v}`);
    }
    await waitFor("two ReplicaSets left: revisions 3 and 4", () => {
      const revisions = replicaSets(c, "cart").map(revision).sort();
      return revisions.join(",") === "3,4" ? revisions : undefined;
    });
  });

  it("with Recreate, removes every old pod before the new ReplicaSet gets any", async () => {
    cluster = startTestCluster();
    const c = cluster;
    mustCreate(c.store, "apps/deployments", deploymentInput("db", "shop", { replicas: 2, strategy: { type: "Recreate" } }));
    await waitFor("2 available", () => deployment(c, "db").status?.availableReplicas === 2);
    const oldHash = replicaSets(c, "db")[0]?.metadata.labels?.["pod-template-hash"];
    let overlap = false;
    const watch = c.store.watch("pods", { sinceRevision: c.store.revision }, () => {
      const pods = podsWith(c.store, "shop", { app: "db" });
      const hashes = new Set(pods.map((p) => p.metadata.labels?.["pod-template-hash"]));
      if (hashes.size > 1 && hashes.has(oldHash)) overlap = true;
    });
    if (!watch.ok) throw new Error(watch.error.message);
    setImage(c, "db", "registry.example.com/shop/db:2.0.0", "deploy 2.0.0");
    await waitFor("the new pods", () => {
      const s = deployment(c, "db").status;
      return s?.updatedReplicas === 2 && s.availableReplicas === 2 && s.replicas === 2;
    });
    watch.value();
    expect(overlap).toBe(false);
  });

  it("marks a rollout whose pods never become available ProgressDeadlineExceeded", async () => {
    cluster = startTestCluster({ behaviour: createDefaultBehaviour({ random: Math.random, missingImages: new Set(["does-not-exist"]) }) });
    const c = cluster;
    const input = deploymentInput("pay", "shop", { replicas: 2, image: "registry.example.com/shop/pay:does-not-exist" });
    (input.spec as { progressDeadlineSeconds: number }).progressDeadlineSeconds = 20;
    mustCreate(c.store, "apps/deployments", input);
    const progressing = await waitFor("ProgressDeadlineExceeded", () =>
      deployment(c, "pay").status?.conditions?.find((x) => x.type === "Progressing" && x.reason === "ProgressDeadlineExceeded"),
    );
    expect(progressing.status).toBe("False");
    expect(progressing.message).toMatch(/^ReplicaSet "pay-[a-z0-9]+" has timed out progressing\.$/);
  });
});
