import { afterEach, describe, expect, it } from "vitest";
import { typed, type Pod } from "./kube-shapes.js";
import { isRunningReady, mustCreate, startTestCluster, waitFor, type TestCluster } from "./test-cluster.js";

let cluster: TestCluster | undefined;
afterEach(() => {
  cluster?.stop();
  expect(cluster?.problems ?? []).toEqual([]);
  cluster = undefined;
});

describe("daemonset controller", () => {
  it("runs one pod on every node, cordoned ones included", async () => {
    cluster = startTestCluster({ nodes: [{ name: "node-a" }, { name: "node-b", unschedulable: true }, { name: "node-c" }] });
    const c = cluster;
    mustCreate(c.store, "apps/daemonsets", {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "node-exporter", namespace: "kube-system" },
      spec: {
        selector: { matchLabels: { app: "node-exporter" } },
        template: {
          metadata: { labels: { app: "node-exporter" } },
          spec: { containers: [{ name: "node-exporter", image: "quay.io/prometheus/node-exporter:v1.8.2", resources: { requests: { cpu: "10m", memory: "32Mi" } } }] },
        },
      },
    });
    await waitFor("3 ready daemon pods", () => (c.store.get("apps/daemonsets", "kube-system", "node-exporter")?.status as { numberReady?: number })?.numberReady === 3);
    const pods = c.store.list("pods", { namespace: "kube-system" }).items.map((o) => typed<Pod>(o));
    expect(pods.filter(isRunningReady).map((p) => p.spec?.nodeName).sort()).toEqual(["node-a", "node-b", "node-c"]);
    expect(pods[0]?.spec?.tolerations).toContainEqual({ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" });
    expect(c.store.get("apps/daemonsets", "kube-system", "node-exporter")?.status).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3, updatedNumberScheduled: 3, numberMisscheduled: 0 });
  });
});
