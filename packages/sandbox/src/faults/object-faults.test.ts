import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../controllers/test-cluster.js";
import { startFaultCluster, type FaultTestCluster } from "./fault-test-cluster.js";

let c: FaultTestCluster;
beforeAll(async () => {
  c = await startFaultCluster();
}, 60_000);
afterAll(async () => {
  await c?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("scaled-to-zero", () => {
  it("scales the workload to 0 as ci-bot, and only the previous replica count cures", async () => {
    const id = c.inject({ kind: "scaled-to-zero", namespace: "shop", target: "catalog" });
    expect(c.store.get("apps/deployments", "shop", "catalog")?.spec?.replicas).toBe(0);
    expect(c.mutations.since().at(-1)).toMatchObject({ user: "ci-bot", resource: "deployments", name: "catalog", subresource: "scale", action: "scale" });
    await waitFor("no catalog pods left", () => c.statuses("catalog").length === 0);
    // Callers get 503 from a Service with no endpoints, and their traces show the refused calls.
    expect(c.metric("kube_deployment_spec_replicas", { namespace: "shop", deployment: "catalog" })[0]?.value).toBe(0);
    expect(c.serverErrors("frontend")).toBeGreaterThan(0.3);
    expect(c.traffic("catalog")?.rps ?? 0).toBe(0);
    expect(c.spans(600_000, (s) => s.service === "frontend" && s.attributes["peer.service"] === "catalog" && s.error && s.attributes.error === "connection refused").length).toBeGreaterThan(0);

    await c.kubectl(["scale", "deployment/catalog", "--replicas=1"], "scarlet");
    await waitFor("one catalog pod back", () => c.statuses("catalog").length === 1);
    expect(c.fault(id)?.cured).toBe(false);

    await c.kubectl(["scale", "deployment/catalog", "--replicas=2"], "scarlet");
    const cured = await waitFor("scaled-to-zero cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined));
    expect(cured.curedBy).toBe("system:serviceaccount:autodevops:scarlet");
    await waitFor("catalog at 2 replicas", () => c.rolledOut("catalog"));
  }, 30_000);

  it("records the scale under params.by", () => {
    const id = c.inject({ kind: "scaled-to-zero", namespace: "shop", target: "frontend", params: { by: "jenkins" } });
    expect(c.mutations.since().at(-1)).toMatchObject({ user: "jenkins", name: "frontend", action: "scale" });
    expect(c.registry.clear(id)).toBe(true);
    expect(c.store.get("apps/deployments", "shop", "frontend")?.spec?.replicas).toBe(3);
  });
});

describe("config-error", () => {
  it("leaves running pods alone, fails restarted ones with CreateContainerConfigError, and is cured by restoring the key", async () => {
    const id = c.inject({ kind: "config-error", namespace: "shop", target: "cart" });
    const data = c.store.get("configmaps", "shop", "cart-config")?.data as Record<string, string>;
    expect(data.REDIS_ADDR).toBeUndefined();

    await sleep(1_000);
    expect(c.statuses("cart").every((s) => s.status?.ready === true)).toBe(true);

    // A restart is the wrong fix: the new pod cannot start without the key.
    const victim = c.statuses("cart")[0]?.pod.metadata.name ?? "";
    await c.kubectl(["delete", "pod", victim, "--wait=false"], "scarlet");
    const stuck = await waitFor("a cart pod in CreateContainerConfigError", () =>
      c.statuses("cart").find((s) => s.status?.state?.waiting?.reason === "CreateContainerConfigError"),
    );
    expect(stuck.status?.state?.waiting?.message).toContain("REDIS_ADDR");
    expect(c.metric("kube_pod_container_status_waiting_reason", { namespace: "shop", pod: stuck.pod.metadata.name, reason: "CreateContainerConfigError" })[0]?.value).toBe(1);
    expect(c.fault(id)?.cured).toBe(false);

    await c.kubectl(["patch", "configmap", "cart-config", "--type=merge", "-p", JSON.stringify({ data: { REDIS_ADDR: "redis-cart.shop.svc.cluster.local:6379" } })]);
    const cured = await waitFor("config-error cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined));
    expect(cured.curedBy).toBe("admin");
    await waitFor("the stuck cart pod running", () => c.statuses("cart").every((s) => s.status?.ready === true) && c.statuses("cart").length === 2, 20_000);
  }, 40_000);
});
