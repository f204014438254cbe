import { describe, expect, it } from "vitest";
import { createLogger, type Incident, type NewAuditEvent } from "@autodevops/shared";
import { at, crashloop, finding, ids } from "../incidents/test-findings.js";
import type { IncidentStore } from "../store/incident-store.js";
import { Desk } from "./incident-desk.js";

/** A desk over an in-memory store, with the workload uids a test sets as the watch would see them. */
function desk() {
  const saved = new Map<string, Incident>();
  const audited: NewAuditEvent[] = [];
  const uids = new Map<string, string>([["prod/shop/cart", "uid-1"]]);
  let clock = 0;
  const d = new Desk({
    store: { save: async (i: Incident) => void saved.set(i.id, structuredClone(i)) } as unknown as IncidentStore,
    audit: { append: async (e: NewAuditEvent) => void audited.push(e) } as never,
    log: createLogger({ service: "desk-test", level: "silent" }),
    now: () => at(clock),
    newId: ids(),
    subjectOf: (c, ns, w) => uids.get(`${c}/${ns}/${w}`),
  });
  const tick = (sec: number) => {
    clock = sec;
  };
  return { d, saved, audited, uids, tick };
}

describe("Desk: a new occurrence on a workload whose incident people hold", () => {
  it("keeps joining the escalated incident while the workload is the same object", async () => {
    const { d } = desk();
    expect(d.ingest(crashloop("cart", "cart-7d9f8b6c5d-x2x9z", 0)).type).toBe("opened");
    await d.update("inc-1", (i) => void (i.status = "escalated"));
    expect(d.ingest(crashloop("cart", "cart-7d9f8b6c5d-k8r2p", 5))).toMatchObject({ type: "joined", incident: { id: "inc-1" } });
    expect(d.replaced("inc-1")).toBe(false);
  });

  it("closes the escalated incident and opens a new one once the workload was deleted and created again", async () => {
    const { d, uids, audited, saved, tick } = desk();
    d.ingest(crashloop("cart", "cart-7d9f8b6c5d-x2x9z", 0));
    await d.update("inc-1", (i) => void (i.status = "escalated"));
    uids.set("prod/shop/cart", "uid-2");
    tick(30);
    expect(d.replaced("inc-1")).toBe(true);
    expect(d.ingest(crashloop("cart", "cart-5f6c7d8e9a-p2q3r", 30))).toMatchObject({ type: "opened", incident: { id: "inc-2", fingerprint: "prod/shop/cart/service" } });
    await d.close();
    await new Promise((r) => setImmediate(r));
    // The old one keeps its status (people held it) but is closed; the audit says why.
    expect(d.view("inc-1")).toMatchObject({ status: "escalated", resolvedAt: at(30).toISOString() });
    expect(saved.get("inc-1")?.resolvedAt).toBe(at(30).toISOString());
    expect(audited.find((e) => e.type === "incident.resolved" && e.incidentId === "inc-1")?.data).toMatchObject({ reason: expect.stringContaining("created again") });
    expect(d.openIds()).toEqual(["inc-2"]);
    // The new incident is about the new object: it takes the next finding.
    expect(d.ingest(crashloop("cart", "cart-5f6c7d8e9a-z9y8x", 35))).toMatchObject({ type: "joined", incident: { id: "inc-2" } });
  });

  it("does not make a new fault of another family on the recreated workload a symptom of the old escalated incident", async () => {
    const { d, uids } = desk();
    d.ingest(crashloop("cart", "cart-7d9f8b6c5d-x2x9z", 0));
    await d.update("inc-1", (i) => void (i.status = "escalated"));
    uids.set("prod/shop/cart", "uid-2");
    const disk = d.ingest(finding({ name: "volume.filling", kind: "disk-pressure", workload: "cart", summary: "data-cart-0 is 97% full" }, 30));
    expect(disk).toMatchObject({ type: "opened", incident: { id: "inc-2" } });
    expect(d.symptomOf("inc-2")).toBeUndefined();
    expect(d.openIds()).toEqual(["inc-2"]);
  });

  it("never takes an incident Scarlet is still working on away from its thread", async () => {
    for (const status of ["open", "acting", "awaiting_approval"] as const) {
      const { d, uids } = desk();
      d.ingest(crashloop("cart", "cart-7d9f8b6c5d-x2x9z", 0));
      await d.update("inc-1", (i) => void (i.status = status));
      uids.set("prod/shop/cart", "uid-2");
      // The thread's own sweep decides (an approval for the old object is withdrawn there).
      expect(d.replaced("inc-1")).toBe(true);
      expect(d.ingest(crashloop("cart", "cart-5f6c7d8e9a-p2q3r", 30))).toMatchObject({ type: "joined", incident: { id: "inc-1" } });
    }
  });

  it("counts a workload that is gone (deleted, not yet created again) as replaced", async () => {
    const { d, uids } = desk();
    d.ingest(crashloop("cart", "cart-7d9f8b6c5d-x2x9z", 0));
    uids.delete("prod/shop/cart");
    expect(d.replaced("inc-1")).toBe(true);
  });
});

describe("Desk: symptoms", () => {
  it("marks an incident folded into another's root cause with symptomOf, and a root without it", () => {
    const { d } = desk();
    const spike = (workload: string) => finding({ source: "prometheus", name: "metric.request-rate-anomaly", kind: "traffic-spike", workload, summary: `${workload} request-rate at 2.9x its baseline` }, 0);
    // The callee first: it opens an incident of its own, then the caller's spike explains it.
    const callee = d.ingest(spike("cart"));
    const caller = d.ingest(spike("frontend"));
    const [calleeId, callerId] = [callee, caller].map((o) => (o.type === "opened" ? o.incident.id : "none"));
    expect(d.view(calleeId ?? "")?.symptomOf).toBe(callerId);
    expect(d.view(callerId ?? "")).not.toHaveProperty("symptomOf");
  });
});
