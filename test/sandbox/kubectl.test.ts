import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSandboxFixture } from "./sandbox-fixture.js";

let f: Awaited<ReturnType<typeof startSandboxFixture>>;

beforeAll(async () => {
  f = await startSandboxFixture();
});
afterAll(async () => {
  await f?.sandbox.stop();
});

const json = <T>(text: string) => JSON.parse(text) as T;
interface PodList {
  items: Array<{ metadata: { name: string; namespace: string; labels?: Record<string, string> }; spec: { nodeName?: string }; status: { phase: string } }>;
}

async function runningPods(context: string, namespace: string, app: string): Promise<PodList["items"]> {
  const list = json<PodList>(await f.kubectl(["--context", context, "get", "pods", "-n", namespace, "-l", `app=${app}`, "-o", "json"]));
  return list.items.filter((p) => p.status.phase === "Running");
}

describe("the sandbox estate through the machine's kubectl", () => {
  it("runs the baseline of CONTRACTS.md on both contexts", async () => {
    await eventually(async () => (await runningPods("prod", "shop", "frontend")).length === 3 || undefined, "3 frontend pods running in prod");
    await eventually(async () => (await runningPods("staging", "shop", "frontend")).length === 1 || undefined, "1 frontend pod running in staging");
    const all = await f.kubectl(["get", "pods", "-A"]);
    for (const ns of ["shop", "platform", "kube-system", "batch"]) expect(all).toContain(ns);
    expect(await f.kubectl(["get", "nodes"])).toMatch(/node-a\s+Ready/);
    // The pods above may be running before checkout's second replica is Ready (a loaded machine): wait for it.
    await eventually(async () => /checkout\s+2\/2/.test(await f.kubectl(["get", "deploy", "-n", "shop"])) || undefined, "checkout 2/2 Ready");
  });

  it("shows events, describes a pod and prints its logs", async () => {
    const pod = (await runningPods("prod", "shop", "checkout"))[0];
    if (!pod) throw new Error("no checkout pod");
    expect(await f.kubectl(["get", "events", "-n", "shop"])).toMatch(/Scheduled|Started|ScalingReplicaSet/);
    const described = await f.kubectl(["describe", "pod", "-n", "shop", pod.metadata.name]);
    expect(described).toMatch(/Status:\s+Running/);
    expect(described).toMatch(/Events:/);
    const logs = await eventually(async () => (await f.kubectl(["logs", "-n", "shop", pod.metadata.name, "--tail=5"])) || undefined, "log lines");
    expect(logs.split("\n").filter(Boolean).length).toBeGreaterThan(0);
  });

  it("scales a deployment and the pods follow", async () => {
    await f.kubectl(["scale", "deploy/cart", "-n", "shop", "--replicas=4"]);
    await eventually(async () => (await runningPods("prod", "shop", "cart")).length === 4 || undefined, "4 cart pods");
    expect(f.sandbox.mutations.since().some((m) => m.action === "scale" && m.name === "cart")).toBe(true);
  });

  it("restarts a rollout, waits for it with rollout status, and keeps its history", async () => {
    await f.kubectl(["rollout", "restart", "deploy/payments", "-n", "shop"]);
    expect(await f.kubectl(["rollout", "status", "deploy/payments", "-n", "shop", "--timeout=60s"], { timeoutMs: 70_000 })).toMatch(/successfully rolled out/);
    const history = await f.kubectl(["rollout", "history", "deploy/payments", "-n", "shop"]);
    expect(history).toMatch(/1\s+deploy \d+\.\d+\.\d+/);
    expect(history).toMatch(/3\s+/);
  });

  it("undoes a rollout to the previous revision, which the mutation log reads as a rollback", async () => {
    const before = json<{ spec: { template: { spec: { containers: Array<{ image: string }> } } } }>(
      await f.kubectl(["get", "deploy/catalog", "-n", "shop", "-o", "json"]),
    ).spec.template.spec.containers[0]?.image;
    await f.kubectl(["rollout", "undo", "deploy/catalog", "-n", "shop"]);
    expect(f.sandbox.mutations.since().at(-1)).toMatchObject({ resource: "deployments", name: "catalog", action: "rollback" });
    const after = json<{ spec: { template: { spec: { containers: Array<{ image: string }> } } } }>(
      await f.kubectl(["get", "deploy/catalog", "-n", "shop", "-o", "json"]),
    ).spec.template.spec.containers[0]?.image;
    expect(after).not.toBe(before);
    expect(await f.kubectl(["rollout", "status", "deploy/catalog", "-n", "shop", "--timeout=60s"], { timeoutMs: 70_000 })).toMatch(/successfully rolled out/);
  });

  it("cordons and drains a node: its pods are evicted and come back elsewhere", async () => {
    await f.kubectl(["cordon", "node-c"]);
    expect(await f.kubectl(["get", "node", "node-c"])).toMatch(/SchedulingDisabled/);
    await f.kubectl(["drain", "node-c", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=90s"], { timeoutMs: 100_000 });
    const onC = json<PodList>(await f.kubectl(["get", "pods", "-A", "--field-selector", "spec.nodeName=node-c", "-o", "json"])).items;
    expect(onC.filter((p) => p.metadata.namespace === "shop")).toEqual([]);
    expect(f.sandbox.mutations.since().some((m) => m.action === "drain-node")).toBe(true);
    await eventually(async () => (await runningPods("prod", "shop", "frontend")).length === 3 || undefined, "frontend back to 3 pods");
    await f.kubectl(["uncordon", "node-c"]);
  });

  it("annotates, applies and applies with a server-side dry run", async () => {
    await f.kubectl(["annotate", "deploy/frontend", "-n", "shop", "autodevops.io/autonomy=approval", "--overwrite"]);
    expect(await f.kubectl(["get", "deploy/frontend", "-n", "shop", "-o", "jsonpath={.metadata.annotations.autodevops\\.io/autonomy}"])).toBe("approval");
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "feature-flags", namespace: "shop" }, data: { newCheckout: "false" } };
    expect(await f.kubectl(["apply", "-f", "-"], { input: JSON.stringify(cm) })).toMatch(/created/);
    const changed = { ...cm, data: { newCheckout: "true" } };
    expect(await f.kubectl(["apply", "--dry-run=server", "-f", "-"], { input: JSON.stringify(changed) })).toMatch(/configured \(server dry run\)/);
    expect(await f.kubectl(["get", "cm/feature-flags", "-n", "shop", "-o", "jsonpath={.data.newCheckout}"])).toBe("false");
    expect(await f.kubectl(["apply", "-f", "-"], { input: JSON.stringify(changed) })).toMatch(/configured/);
    expect(await f.kubectl(["get", "cm/feature-flags", "-n", "shop", "-o", "jsonpath={.data.newCheckout}"])).toBe("true");
  });
});
