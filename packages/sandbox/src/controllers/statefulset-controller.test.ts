import { afterEach, describe, expect, it } from "vitest";
import type { KubeObjectInput } from "../store/types.js";
import { typed, type Pod, type StatefulSet } from "./kube-shapes.js";
import { eventsFor, isRunningReady, mustCreate, startTestCluster, waitFor, type TestCluster } from "./test-cluster.js";

let cluster: TestCluster | undefined;
afterEach(() => {
  cluster?.stop();
  expect(cluster?.problems ?? []).toEqual([]);
  cluster = undefined;
});

function statefulSet(name: string, replicas: number, version: string): KubeObjectInput {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name, namespace: "shop", labels: { app: name } },
    spec: {
      replicas,
      serviceName: `${name}-headless`,
      selector: { matchLabels: { app: name } },
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name,
              image: `registry.example.com/shop/${name}:${version}`,
              imagePullPolicy: "IfNotPresent",
              resources: { requests: { cpu: "100m", memory: "256Mi" } },
              readinessProbe: { tcpSocket: { port: 5432 }, initialDelaySeconds: 1, periodSeconds: 2 },
            },
          ],
          terminationGracePeriodSeconds: 5,
        },
      },
      volumeClaimTemplates: [
        { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: "10Gi" } } } },
      ],
    },
  };
}

const sts = (c: TestCluster, name: string) => typed<StatefulSet>(c.store.get("apps/statefulsets", "shop", name)!);
const pod = (c: TestCluster, name: string) => {
  const o = c.store.get("pods", "shop", name);
  return o ? typed<Pod>(o) : undefined;
};

describe("statefulset controller", () => {
  it("creates ordinal pods one after another, each with its Bound PVC, and reports them ready", async () => {
    cluster = startTestCluster();
    const c = cluster;
    const readyWhenCreated: Record<string, boolean> = {};
    const watch = c.store.watch("pods", {}, (e) => {
      if (e.type !== "ADDED") return;
      const ordinal = Number(e.object.metadata.name.split("-").pop());
      if (ordinal > 0) readyWhenCreated[e.object.metadata.name] = isRunningReady(pod(c, `db-${ordinal - 1}`)!);
    });
    if (!watch.ok) throw new Error(watch.error.message);
    mustCreate(c.store, "apps/statefulsets", statefulSet("db", 3, "16.3"));
    await waitFor("3 ready replicas", () => (sts(c, "db").status as { readyReplicas?: number })?.readyReplicas === 3);
    watch.value();
    expect(readyWhenCreated).toEqual({ "db-1": true, "db-2": true });
    for (const i of [0, 1, 2]) {
      const claim = c.store.get("persistentvolumeclaims", "shop", `data-db-${i}`);
      expect(claim?.status).toMatchObject({ phase: "Bound", capacity: { storage: "10Gi" } });
      const p = pod(c, `db-${i}`)!;
      expect(p.spec?.volumes).toContainEqual({ name: "data", persistentVolumeClaim: { claimName: `data-db-${i}` } });
      expect(p.spec?.hostname).toBe(`db-${i}`);
      expect(p.spec?.subdomain).toBe("db-headless");
    }
    const status = sts(c, "db").status as Record<string, unknown>;
    expect(status).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3 });
    expect(status.currentRevision).toBe(status.updateRevision);
    expect(pod(c, "db-0")?.metadata.labels?.["controller-revision-hash"]).toBe(status.updateRevision);
    expect(eventsFor(c.store, "db", "SuccessfulCreate").map((e) => e.message)).toEqual(
      expect.arrayContaining(["create Claim data-db-0 Pod db-0 in StatefulSet db success", "create Pod db-0 in StatefulSet db successful"]),
    );
  });

  it("rolls a template change out from the highest ordinal down, one pod at a time", async () => {
    cluster = startTestCluster();
    const c = cluster;
    mustCreate(c.store, "apps/statefulsets", statefulSet("cache", 3, "7.2"));
    await waitFor("3 ready replicas", () => (sts(c, "cache").status as { readyReplicas?: number })?.readyReplicas === 3);
    const before = (sts(c, "cache").status as { updateRevision: string }).updateRevision;
    c.store.mutate("apps/statefulsets", "shop", "cache", (o) => {
      const s = typed<StatefulSet>(o);
      const container = s.spec?.template?.spec?.containers?.[0];
      if (container) container.image = "registry.example.com/shop/cache:7.4";
    });
    await waitFor("the update rolled out", () => {
      const s = sts(c, "cache").status as { currentRevision?: string; updateRevision?: string; readyReplicas?: number };
      return s.updateRevision !== before && s.currentRevision === s.updateRevision && s.readyReplicas === 3;
    }, 30_000);
    const deletions = eventsFor(c.store, "cache", "SuccessfulDelete").sort((a, b) => String(a.metadata.resourceVersion).localeCompare(String(b.metadata.resourceVersion), "en", { numeric: true }));
    expect(deletions.map((e) => e.message)).toEqual([
      "delete Pod cache-2 in StatefulSet cache successful",
      "delete Pod cache-1 in StatefulSet cache successful",
      "delete Pod cache-0 in StatefulSet cache successful",
    ]);
    expect(c.store.list("apps/controllerrevisions", { namespace: "shop" }).items.map((r) => r.revision).sort()).toEqual([1, 2]);
  });

  it("scales down from the highest ordinal and keeps the claims", async () => {
    cluster = startTestCluster();
    const c = cluster;
    mustCreate(c.store, "apps/statefulsets", statefulSet("kv", 2, "1.0"));
    await waitFor("2 ready replicas", () => (sts(c, "kv").status as { readyReplicas?: number })?.readyReplicas === 2);
    c.store.mutate("apps/statefulsets", "shop", "kv", (o) => void (o.spec = { ...o.spec, replicas: 1 }));
    await waitFor("kv-1 gone", () => !pod(c, "kv-1"));
    expect(pod(c, "kv-0")).toBeDefined();
    expect(c.store.get("persistentvolumeclaims", "shop", "data-kv-1")).toBeDefined();
  });
});
