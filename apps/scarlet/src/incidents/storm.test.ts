import type { Finding } from "@autodevops/shared";
import { describe, expect, it } from "vitest";
import { IncidentBook, type IngestOutcome } from "./correlator.js";
import { alert, crashloop, finding, ids, rng } from "./test-findings.js";

const SAFE = "bcdfghjklmnpqrstvwxz2456789";

/**
 * An alert storm over three root causes, as Alertmanager and the watch deliver it: redis-cart
 * down (its callers alert per pod), catalog crash-looping (frontend and report-gen alert too),
 * node-c NotReady (its pods go NotReady). Every alert is re-sent a few times.
 */
function storm(size: number, seed: number): Finding[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const podOf = (w: string) => `${w}-6b7c9d8f5-${Array.from({ length: 5 }, () => pick([...SAFE])).join("")}`;
  const kinds: Array<(sec: number) => Finding> = [
    (s) => crashloop("redis-cart", "redis-cart-0", s),
    (s) => alert("HighErrorRate", { namespace: "shop", service: pick(["cart", "checkout", "frontend"]), pod: podOf(pick(["cart", "checkout", "frontend"])), severity: pick(["warning", "critical"]) }, s),
    (s) => alert("HighLatencyP99", { namespace: "shop", service: "checkout", pod: podOf("checkout") }, s),
    (s) => crashloop("catalog", podOf("catalog"), s),
    (s) => alert("KubePodCrashLooping", { namespace: "shop", workload: "catalog", pod: podOf("catalog"), node: "node-a" }, s),
    (s) => alert("HighErrorRate", { namespace: "batch", service: "report-gen", pod: podOf("report-gen") }, s),
    (s) => finding({ name: "node.not-ready", kind: "node-not-ready", namespace: "", node: "node-c", severity: "critical" }, s),
    (s) => alert("KubePodNotReady", { namespace: "shop", workload: "payments", pod: podOf("payments"), node: "node-c" }, s),
  ];
  const out: Finding[] = [];
  // The roots first (the watch sees them within seconds), then the storm over ten minutes.
  out.push(kinds[0]!(0), kinds[3]!(1), kinds[6]!(2));
  while (out.length < size) {
    const f = pick(kinds)(3 + Math.floor(r() * 600));
    out.push(f);
    if (f.source === "alertmanager" && r() < 0.3) out.push({ ...f, id: `${f.id}-resent`, at: new Date(Date.parse(f.at) + 60_000).toISOString() });
  }
  return out.slice(0, size);
}

function run(findings: Finding[]) {
  const book = new IncidentBook({ newId: ids() });
  const tally: Record<IngestOutcome["type"], number> = { opened: 0, joined: 0, duplicate: 0, stale: 0, ignored: 0 };
  const start = performance.now();
  for (const f of findings) tally[book.ingest(f, new Date(f.at)).type]++;
  const ms = performance.now() - start;
  const incidents = book.openIncidents();
  const roots = incidents.filter((i) => !book.isSymptom(i.id));
  return { book, tally, ms, incidents, roots };
}

describe("alert storm", () => {
  it("gives one incident per root cause for 6,000 findings in arrival order, and loses none", async ({ annotate }) => {
    const findings = storm(6_000, 7);
    const { tally, ms, incidents, roots } = run(findings);
    await annotate(`${findings.length} findings in ${ms.toFixed(0)} ms (${Math.round((findings.length / ms) * 60_000)} / min): ${JSON.stringify(tally)}`);
    expect(tally.opened + tally.joined + tally.duplicate + tally.stale).toBe(findings.length);
    expect(tally.duplicate).toBeGreaterThan(0);
    expect(roots.map((i) => i.workload ?? i.node).sort()).toEqual(["catalog", "node-c", "redis-cart"]);
    expect(incidents).toHaveLength(3);
    expect(roots.every((i) => i.signals.length <= 50)).toBe(true);
    // Far above the bench's 5,000 alerts a minute.
    expect((findings.length / ms) * 60_000).toBeGreaterThan(50_000);
  });

  it("still finds the three roots when the storm arrives shuffled, callers before their dependency", async ({ annotate }) => {
    const findings = storm(6_000, 11);
    const r = rng(3);
    for (let i = findings.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [findings[i], findings[j]] = [findings[j]!, findings[i]!];
    }
    const { tally, incidents, roots, book } = run(findings);
    await annotate(`shuffled: ${incidents.length} incidents, ${roots.length} roots: ${JSON.stringify(tally)}`);
    expect(roots.map((i) => i.workload ?? i.node).sort()).toEqual(["catalog", "node-c", "redis-cart"]);
    // Incidents a caller opened before its root showed up are absorbed: symptoms, never acted on.
    for (const i of incidents.filter((x) => book.isSymptom(x.id))) expect(roots.map((x) => x.id)).toContain(book.rootOf(i.id));
    expect(incidents.length).toBeLessThanOrEqual(3 + 5);
  });
});
