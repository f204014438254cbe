import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../controllers/test-cluster.js";
import { CHANGE_CAUSE } from "../estate/workload-objects.js";
import { startFaultCluster, type FaultTestCluster } from "./fault-test-cluster.js";

let c: FaultTestCluster;
beforeAll(async () => {
  c = await startFaultCluster();
}, 60_000);
afterAll(async () => {
  await c?.close();
});


const image = (name: string) => (c.store.get("apps/deployments", "shop", name)?.spec?.template as { spec: { containers: { image: string }[] } }).spec.containers[0]?.image;
const newPods = (name: string, old: string[]) => c.statuses(name).filter((s) => !old.includes(s.pod.metadata.uid));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("image-pull", () => {
  it("rolls out a tag that does not exist, stalls in ImagePullBackOff, and is cured by a rollback only", async () => {
    const old = c.statuses("frontend").map((s) => s.pod.metadata.uid);
    const id = c.inject({ kind: "image-pull", namespace: "shop", target: "frontend" });
    expect(image("frontend")).toBe("registry.example.com/shop/frontend:2.7.2-rc.1");
    expect(c.mutations.since().at(-1)).toMatchObject({ user: "ci-bot", resource: "deployments", name: "frontend" });

    await waitFor("a new frontend pod in ImagePullBackOff", () => newPods("frontend", old).some((s) => s.status?.state?.waiting?.reason === "ImagePullBackOff"));
    expect(c.metric("kube_pod_container_status_waiting_reason", { namespace: "shop", container: "frontend", reason: "ImagePullBackOff" }).some((s) => s.value === 1)).toBe(true);
    expect(c.metric("kube_deployment_status_replicas_unavailable", { namespace: "shop", deployment: "frontend" })[0]?.value).toBeGreaterThanOrEqual(1);
    // The rollout stalls: the old pods keep serving.
    expect(c.statuses("frontend").filter((s) => old.includes(s.pod.metadata.uid) && s.status?.ready).length).toBeGreaterThanOrEqual(2);

    // Deleting the stuck pod brings another one that cannot pull either.
    const stuck = newPods("frontend", old)[0]?.pod.metadata.name ?? "";
    await c.kubectl(["delete", "pod", stuck, "--wait=false"], "scarlet");
    await waitFor("its replacement failing to pull", () =>
      newPods("frontend", old).some((s) => s.pod.metadata.name !== stuck && /ErrImagePull|ImagePullBackOff/.test(s.status?.state?.waiting?.reason ?? "")),
    );
    expect(c.fault(id)?.cured).toBe(false);

    await c.kubectl(["rollout", "undo", "deployment/frontend"], "scarlet");
    const cured = await waitFor("image-pull cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined));
    expect(cured.curedBy).toBe("system:serviceaccount:autodevops:scarlet");
    await waitFor("frontend back on 2.7.1", () => c.rolledOut("frontend") && image("frontend") === "registry.example.com/shop/frontend:2.7.1", 30_000);
  }, 60_000);
});

describe("bad-rollout", () => {
  it("bumps the tag and change-cause, the new pods crash, a restart does not help and a rollback cures", async () => {
    const id = c.inject({ kind: "bad-rollout", namespace: "shop", target: "payments", params: { mode: "crash" } });
    const d = c.store.get("apps/deployments", "shop", "payments");
    expect(d?.metadata.annotations?.[CHANGE_CAUSE]).toBe("deploy 3.2.2");
    expect(image("payments")).toBe("registry.example.com/shop/payments:3.2.2");

    const crashing = () => c.statuses("payments").some((s) => s.pod.spec?.containers?.[0]?.image?.endsWith(":3.2.2") && (s.status?.restartCount ?? 0) >= 1);
    await waitFor("new payments pods crashing", crashing);
    const crashed = c.statuses("payments").find((s) => (s.status?.restartCount ?? 0) >= 1);
    expect(crashed?.status?.lastState?.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(c.logs.read("shop", crashed?.pod.metadata.name ?? "", "payments", { previous: true })?.at(-1)?.text).toMatch(/^panic: config/);
    expect(c.metric("kube_pod_container_status_last_terminated_reason", { namespace: "shop", container: "payments", reason: "Error" }).some((s) => s.value === 1)).toBe(true);

    await c.kubectl(["rollout", "restart", "deployment/payments"]);
    await sleep(300);
    expect(c.fault(id)?.cured).toBe(false);
    await waitFor("restarted payments pods crashing again", crashing);

    // The restart made a revision of its own (still the bad tag): the rollback names the healthy one.
    await c.kubectl(["rollout", "undo", "deployment/payments", "--to-revision=2"]);
    const cured = await waitFor("bad-rollout cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined));
    expect(cured.curedBy).toBe("admin");
    await waitFor("payments healthy on 3.2.1", () => c.rolledOut("payments") && image("payments") === "registry.example.com/shop/payments:3.2.1", 30_000);
  }, 60_000);
});

describe("probe-failure", () => {
  it("rolls out a readiness path that answers 404, the new pods never get Ready, and a rollback cures", async () => {
    const old = c.statuses("catalog").map((s) => s.pod.metadata.uid);
    const id = c.inject({ kind: "probe-failure", namespace: "shop", target: "catalog" });
    await waitFor("a new catalog pod running but not Ready", () =>
      newPods("catalog", old).some((s) => s.status?.state?.running !== undefined && s.status.ready === false),
    );
    await waitFor("an Unhealthy event naming the 404", () =>
      c.store.list("events", { namespace: "shop" }).items.some((e) => e.reason === "Unhealthy" && String(e.message).includes("statuscode: 404")),
    );
    const notReady = newPods("catalog", old).find((s) => s.status?.ready === false)?.pod.metadata.name ?? "";
    expect(c.metric("kube_pod_status_ready", { namespace: "shop", pod: notReady, condition: "false" })[0]?.value).toBe(1);
    expect(c.logs.read("shop", notReady, "catalog")?.map((l) => l.text).join("\n")).toMatch(/path=\/health\/ready status=404/);
    await c.kubectl(["rollout", "restart", "deployment/catalog"]);
    await sleep(300);
    expect(c.fault(id)?.cured).toBe(false);

    await c.kubectl(["rollout", "undo", "deployment/catalog", "--to-revision=2"], "scarlet");
    const cured = await waitFor("probe-failure cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined));
    expect(cured.curedBy).toBe("system:serviceaccount:autodevops:scarlet");
    await waitFor("catalog Ready again", () => c.rolledOut("catalog"), 30_000);
  }, 60_000);
});
