import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSandboxFixture } from "./sandbox-fixture.js";

let f: Awaited<ReturnType<typeof startSandboxFixture>>;
beforeAll(async () => {
  f = await startSandboxFixture();
});
afterAll(async () => {
  await f?.sandbox.stop();
});

interface FaultView {
  id: string;
  kind: string;
  cured: boolean;
  curedBy?: string;
}

const faults = async () => ((await (await fetch(`${f.sandbox.controlUrl}/sandbox/faults`)).json()) as { faults: FaultView[] }).faults;

describe("fault injection through the control API of the running sandbox", () => {
  it("injects a crashloop that kubectl and /metrics both show, and sees it cured by a rollout restart", async () => {
    await eventually(async () => (await f.kubectl(["get", "deploy/cart", "-n", "shop", "-o", "jsonpath={.status.availableReplicas}"])) === "2" || undefined, "cart available");
    const res = await fetch(`${f.sandbox.controlUrl}/sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "crashloop", namespace: "shop", target: "cart", params: { message: "panic: nil map in basket" } }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await eventually(async () => (await f.kubectl(["get", "pods", "-n", "shop", "-l", "app=cart"])).includes("CrashLoopBackOff") || undefined, "CrashLoopBackOff", 40_000);
    const metrics = f.sandbox.telemetry.render("prod") ?? "";
    expect(metrics).toMatch(/kube_pod_container_status_restarts_total\{namespace="shop",pod="cart-[^"]+",container="cart"\} [1-9]/);
    expect((await faults()).find((x) => x.id === id)).toMatchObject({ kind: "crashloop", cured: false });

    await f.kubectl(["rollout", "restart", "deploy/cart", "-n", "shop"]);
    const cured = await eventually(async () => (await faults()).find((x) => x.id === id && x.cured), "the fault cured", 40_000);
    expect(cured.curedBy).toBe("admin");
  });

  it("answers 400 naming what is wrong with a bad fault request", async () => {
    const bad = async (body: unknown) => {
      const r = await fetch(`${f.sandbox.controlUrl}/sandbox/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as { error: string } };
    };
    expect(await bad({ kind: "meteor-strike", namespace: "shop", target: "cart" })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/kind/) } });
    expect(await bad({ kind: "crashloop", namespace: "shop", target: "no-such-service" })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/no-such-service/) } });
  });
});
