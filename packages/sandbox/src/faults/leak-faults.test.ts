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

const MIB = 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const workingSets = (container: string) => new Map(c.metric("container_memory_working_set_bytes", { namespace: "shop", container }).map((s) => [s.labels.pod ?? "", s.value]));

describe("memory-leak", () => {
  it("climbs to the memory limit and is OOMKilled again and again; a higher limit does not cure, a rollout restart does", async () => {
    // 2400 MiB/min: from 55 % of 512Mi to the limit in about 6 s of each run.
    const id = c.inject({ kind: "memory-leak", namespace: "shop", target: "frontend", params: { mibPerMin: 2400 } });

    // cAdvisor: each pod's working set climbs, at about the leak's rate.
    const first = workingSets("frontend");
    await sleep(1500);
    const later = workingSets("frontend");
    expect(first.size).toBe(3);
    for (const [pod, v] of first) expect((later.get(pod) ?? 0) - v).toBeGreaterThan(40 * MIB);

    // Killed at the limit, restarted, climbing again, killed again.
    await waitFor("every frontend container OOMKilled twice", () =>
      c.statuses("frontend").every((s) => (s.status?.restartCount ?? 0) >= 2 && s.status?.lastState?.terminated?.reason === "OOMKilled"),
      40_000,
    );
    const s0 = c.statuses("frontend")[0];
    expect(s0?.status?.lastState?.terminated?.exitCode).toBe(137);
    expect(c.metric("kube_pod_container_status_last_terminated_reason", { namespace: "shop", container: "frontend", reason: "OOMKilled" }).filter((s) => s.value === 1)).toHaveLength(3);
    expect(Math.min(...c.metric("kube_pod_container_status_restarts_total", { namespace: "shop", container: "frontend" }).map((s) => s.value))).toBeGreaterThanOrEqual(2);
    // The working set never passes the limit, and a fresh run starts low again.
    const limit = 512 * MIB;
    expect(c.metric("container_spec_memory_limit_bytes", { namespace: "shop", container: "frontend" }).every((s) => s.value === limit)).toBe(true);
    expect(Math.max(...workingSets("frontend").values())).toBeLessThanOrEqual(limit);
    await waitFor("a run just restarted, low again", () => [...workingSets("frontend").values()].some((v) => v < 0.65 * limit));

    // Logs: heap warnings as it climbs; the last words of the killed run.
    const pod = s0?.pod.metadata.name ?? "";
    const previous = c.logs.read("shop", pod, "frontend", { previous: true })?.map((l) => l.text) ?? [];
    expect(previous.some((l) => /"msg":"heap usage high, GC cannot keep up"/.test(l))).toBe(true);
    expect(previous.at(-1)).toMatch(/"msg":"memory usage near limit"/);
    // Kubernetes: the Deployment loses availability while its containers restart (events record the back-offs).
    const events = JSON.parse(await c.kubectl(["get", "events", "-o", "json"])) as { items: { reason: string; involvedObject: { name: string } }[] };
    expect(events.items.some((e) => e.reason === "BackOff" && e.involvedObject.name.startsWith("frontend-"))).toBe(true);

    // The wrong fix: a higher limit only delays the kill (the new pods climb past the old limit).
    await c.kubectl(["set", "resources", "deployment/frontend", "--limits=memory=768Mi"], "scarlet");
    await waitFor("frontend rolled out with 768Mi", () => c.rolledOut("frontend"), 30_000);
    await waitFor("a new frontend pod past the old limit", () => [...workingSets("frontend").values()].some((v) => v > 520 * MIB), 20_000);
    await waitFor("new frontend pods OOMKilled at the new limit", () => c.statuses("frontend").some((s) => s.status?.lastState?.terminated?.reason === "OOMKilled"), 30_000);
    expect(c.fault(id)?.cured).toBe(false);

    // A restart replaces every leaking process: cured (until it climbs again), by whoever restarted.
    await c.kubectl(["rollout", "restart", "deployment/frontend"], "scarlet");
    const cured = await waitFor("memory-leak cured", () => (c.fault(id)?.cured ? c.fault(id) : undefined), 30_000);
    expect(cured.curedBy).toBe("system:serviceaccount:autodevops:scarlet");
    await waitFor("frontend rolled out after the restart", () => c.rolledOut("frontend"), 30_000);
    await sleep(2000);
    expect(c.statuses("frontend").every((s) => s.status?.restartCount === 0)).toBe(true);
    expect(Math.max(...workingSets("frontend").values())).toBeLessThan(0.75 * 768 * MIB);
  }, 150_000);

  it("deleting some of the leaking pods does not cure; deleting the last one does, and params.message is the killed run's last line", async () => {
    const id = c.inject({ kind: "memory-leak", namespace: "shop", target: "cart", params: { mibPerMin: 3000, message: "leak test: out of memory" } });
    const before = c.statuses("cart").map((s) => s.pod.metadata.name);
    expect(before).toHaveLength(2);
    await waitFor("cart OOMKilled", () => c.statuses("cart").some((s) => s.status?.lastState?.terminated?.reason === "OOMKilled"), 20_000);
    const killed = c.statuses("cart").find((s) => s.status?.lastState?.terminated?.reason === "OOMKilled")?.pod.metadata.name ?? "";
    expect(c.logs.read("shop", killed, "cart", { previous: true })?.at(-1)?.text).toBe("leak test: out of memory");

    await c.kubectl(["delete", "pod", before[0] ?? "", "--wait=false"]);
    await waitFor("a replacement cart pod", () => c.statuses("cart").some((s) => !before.includes(s.pod.metadata.name)));
    await sleep(300);
    expect(c.fault(id)?.cured).toBe(false);
    await c.kubectl(["delete", "pod", before[1] ?? "", "--wait=false"], "scarlet");
    const cured = await waitFor("memory-leak cured by the second deletion", () => (c.fault(id)?.cured ? c.fault(id) : undefined), 20_000);
    expect(cured.curedBy).toBe("system:serviceaccount:autodevops:scarlet");
  }, 60_000);

  it("refuses a rate that does not climb, naming the param", () => {
    const r = c.registry.inject({ kind: "memory-leak", namespace: "shop", target: "catalog", params: { mibPerMin: 0 } });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatchObject({ code: "bad_params", message: expect.stringMatching(/mibPerMin/) });
  });
});
