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


describe("crashloop", () => {
  it("crashes the pods with a panic until every pod is restarted, and names who restarted them", async () => {
    const before = c.statuses("cart").map((s) => s.pod.metadata.name);
    const id = c.inject({ kind: "crashloop", namespace: "shop", target: "cart" });

    await waitFor("cart in CrashLoopBackOff", () =>
      c.statuses("cart").every((s) => (s.status?.restartCount ?? 0) >= 1 && s.status?.state?.waiting?.reason === "CrashLoopBackOff"),
    );
    const first = c.statuses("cart")[0];
    expect(first?.status?.lastState?.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    const previous = c.logs.read("shop", before[0] ?? "", "cart", { previous: true })?.map((l) => l.text) ?? [];
    expect(previous.at(-1)).toMatch(/^panic: runtime error/);
    // kube-state-metrics shows it; cart's caller fails while no cart pod is Ready, and its traces show the refused calls.
    expect(c.metric("kube_pod_container_status_waiting_reason", { namespace: "shop", container: "cart", reason: "CrashLoopBackOff" }).some((s) => s.value === 1)).toBe(true);
    expect(Math.min(...c.metric("kube_pod_container_status_restarts_total", { namespace: "shop", container: "cart" }).map((s) => s.value))).toBeGreaterThanOrEqual(1);
    await waitFor("checkout failing its cart calls", () => c.serverErrors("checkout") > 0.2);
    await waitFor("refused cart calls in checkout's traces", () =>
      c.spans(600_000, (s) => s.service === "checkout" && s.attributes["peer.service"] === "cart" && s.error).length > 0,
    );

    // Deleting one of the two pods heals that one only: the fault is not cured.
    await c.kubectl(["delete", "pod", before[0] ?? "", "--wait=false"]);
    await waitFor("a replacement cart pod running", () => c.statuses("cart").some((s) => !before.includes(s.pod.metadata.name) && s.status?.ready === true));
    await new Promise((r) => setTimeout(r, 500));
    expect(c.fault(id)?.cured).toBe(false);

    await c.kubectl(["rollout", "restart", "deployment/cart"], "scarlet");
    const cured = await waitFor("crashloop cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined));
    expect(cured.curedBy).toBe("system:serviceaccount:autodevops:scarlet");
    await waitFor("cart rolled out healthy", () => c.rolledOut("cart"));
    await new Promise((r) => setTimeout(r, 2_500));
    expect(c.statuses("cart").every((s) => s.status?.restartCount === 0 && s.status.ready)).toBe(true);
  }, 40_000);

  it("writes params.message as the crash's last log line", async () => {
    const restarts = new Map(c.statuses("catalog").map((s) => [s.pod.metadata.uid, s.status?.restartCount ?? 0]));
    const id = c.inject({ kind: "crashloop", namespace: "shop", target: "catalog", params: { message: "panic: boom from the test" } });
    const crashed = (s: ReturnType<FaultTestCluster["statuses"]>[number]) => (s.status?.restartCount ?? 0) > (restarts.get(s.pod.metadata.uid) ?? 0);
    await waitFor("catalog restarted", () => c.statuses("catalog").some(crashed));
    const pod = c.statuses("catalog").find(crashed)?.pod.metadata.name ?? "";
    expect(c.logs.read("shop", pod, "catalog", { previous: true })?.at(-1)?.text).toBe("panic: boom from the test");
    expect(c.registry.clear(id)).toBe(true);
  }, 20_000);
});

describe("oom", () => {
  it("OOMKills until the memory limit is raised to 1.5 × the working set; a restart alone does not cure", async () => {
    const id = c.inject({ kind: "oom", namespace: "shop", target: "checkout", params: { workingSetMi: 600 } });

    await waitFor("checkout OOMKilled", () =>
      c.statuses("checkout").every((s) => (s.status?.restartCount ?? 0) >= 1 && s.status?.lastState?.terminated?.reason === "OOMKilled"),
    );
    expect(c.statuses("checkout")[0]?.status?.lastState?.terminated?.exitCode).toBe(137);
    expect(c.metric("kube_pod_container_status_last_terminated_reason", { namespace: "shop", container: "checkout", reason: "OOMKilled" }).some((s) => s.value === 1)).toBe(true);
    expect(c.metric("kube_pod_container_status_last_terminated_exitcode", { namespace: "shop", container: "checkout" }).some((s) => s.value === 137)).toBe(true);
    // cAdvisor reports the working set the limit cannot hold; the log warns before each kill.
    const workingSets = c.metric("container_memory_working_set_bytes", { namespace: "shop", container: "checkout" });
    expect(workingSets.length).toBeGreaterThan(0);
    expect(Math.max(...workingSets.map((s) => s.value))).toBeGreaterThanOrEqual(500 * 2 ** 20);
    const killed = c.statuses("checkout")[0]?.pod.metadata.name ?? "";
    expect(c.logs.read("shop", killed, "checkout", { previous: true })?.at(-1)?.text).toMatch(/memory usage near limit/);

    // A restart brings new pods with the same limit: they are OOMKilled too.
    const old = c.statuses("checkout").map((s) => s.pod.metadata.uid);
    await c.kubectl(["rollout", "restart", "deployment/checkout"], "scarlet");
    await waitFor("restarted checkout pods OOMKilled", () => {
      const fresh = c.statuses("checkout").filter((s) => !old.includes(s.pod.metadata.uid));
      return fresh.length > 0 && fresh.some((s) => s.status?.lastState?.terminated?.reason === "OOMKilled");
    });
    expect(c.fault(id)?.cured).toBe(false);

    // 1.5 × 600Mi = 900Mi: 850Mi is not enough, 1Gi is.
    await c.kubectl(["set", "resources", "deployment/checkout", "--limits=memory=850Mi"], "scarlet");
    await new Promise((r) => setTimeout(r, 300));
    expect(c.fault(id)?.cured).toBe(false);
    await c.kubectl(["set", "resources", "deployment/checkout", "--limits=memory=1Gi"]);
    const cured = await waitFor("oom cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined));
    expect(cured.curedBy).toBe("admin");
    await waitFor("checkout rolled out with the new limit", () => c.rolledOut("checkout"), 30_000);
    await new Promise((r) => setTimeout(r, 3_500));
    expect(c.statuses("checkout").every((s) => s.status?.restartCount === 0)).toBe(true);
  }, 60_000);
});
