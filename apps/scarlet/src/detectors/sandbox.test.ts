import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Action, createLogger, type Finding } from "@autodevops/shared";
import { startSandbox, TIME_FACTOR, type RunningSandbox } from "@autodevops/sandbox";
import { diagnose, planFor as plan } from "../playbooks/index.js";
import { workloadFacts } from "../playbooks/facts.js";
import type { PlaybookContext } from "../playbooks/types.js";
import { ESTATE_CALLS } from "../playbooks/test-estate.js";
import { emptyHistory, type History } from "./history.js";
import { observe } from "./index.js";
import type { EventObject, Observation, PodObject, WorkloadObject } from "./observations.js";
import { detectorSettings } from "./settings.js";

// Real pod statuses, events and cAdvisor numbers from the sandbox, fed to the detectors the way
// a monitor loop would (every 250 ms), so the fixtures are the sandbox's own and the holds and
// restart counts run at its compressed pace.
const settings = detectorSettings({ timeFactor: TIME_FACTOR });
let sandbox: RunningSandbox;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "scarlet-detectors-"));
  sandbox = await startSandbox({ dataDir, host: "127.0.0.1", controlPort: 0, log: createLogger({ service: "sandbox-test", level: "silent" }) });
}, 60_000);
afterAll(async () => {
  await sandbox?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const prod = () => {
  const c = sandbox.clusters.find((x) => x.name === "prod");
  if (!c) throw new Error("no prod cluster");
  return c;
};
const list = <T>(resource: string, namespace: string) => prod().store.list(resource, { namespace }).items as unknown as T[];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** container_memory_working_set_bytes and the limit per shop container, from the sandbox's /metrics text. */
function memoryObservations(): Observation[] {
  const text = sandbox.telemetry.render("prod") ?? "";
  const read = (name: string) =>
    new Map(
      [...text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} ([0-9.e+]+)`, "gm"))].map((m) => {
        const labels = Object.fromEntries([...(m[1] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
        return [`${labels.namespace}/${labels.pod}/${labels.container}`, { labels, value: Number(m[2]) }] as const;
      }),
    );
  const limits = read("container_spec_memory_limit_bytes");
  return [...read("container_memory_working_set_bytes").entries()].flatMap(([key, { labels, value }]) => {
    if (labels.namespace !== "shop" || !labels.pod || !labels.container) return [];
    const limit = limits.get(key)?.value;
    const workload = labels.pod.replace(/-[a-z0-9]+-[a-z0-9]{5}$/, "").replace(/-\d+$/, "");
    return [{ type: "memory", cluster: "prod", namespace: "shop", workload, pod: labels.pod, container: labels.container, workingSetBytes: value, ...(limit ? { limitBytes: limit } : {}) }];
  });
}

function snapshot(): Observation[] {
  return [
    ...list<PodObject>("pods", "shop").map((pod): Observation => ({ type: "pod", cluster: "prod", pod })),
    ...list<WorkloadObject>("apps/deployments", "shop").map((w): Observation => ({ type: "workload", cluster: "prod", workload: { ...w, kind: "Deployment" } })),
    ...list<WorkloadObject>("apps/statefulsets", "shop").map((w): Observation => ({ type: "workload", cluster: "prod", workload: { ...w, kind: "StatefulSet" } })),
    ...list<EventObject>("events", "shop").map((event): Observation => ({ type: "event", cluster: "prod", event })),
    ...memoryObservations(),
  ];
}

/** Feeds snapshots to the detectors every 250 ms until `done` or the rounds run out. */
async function watch(history: History, found: Finding[], done: () => boolean, rounds = 80): Promise<History> {
  for (let i = 0; i < rounds && !done(); i++) {
    for (const o of snapshot()) {
      const r = observe(o, history, new Date(), settings);
      history = r.history;
      found.push(...r.findings);
    }
    await sleep(250);
  }
  return history;
}

function context(now: Date): PlaybookContext {
  const replicaSets = list<{ metadata: WorkloadObject["metadata"] }>("apps/replicasets", "shop");
  const workloads = [
    ...list<WorkloadObject>("apps/deployments", "shop").map((w) => workloadFacts({ ...w, kind: "Deployment" }, replicaSets)),
    ...list<WorkloadObject>("apps/statefulsets", "shop").map((w) => workloadFacts({ ...w, kind: "StatefulSet" })),
  ];
  return { cluster: "prod", now, workloads, calls: ESTATE_CALLS };
}

describe("detectors and playbooks on the sandbox's own objects", () => {
  it("names each injected fault from its symptoms, picks its cure, and stays quiet on noise", async () => {
    const rolledOut = () => list<WorkloadObject>("apps/deployments", "shop").every((d) => (d.status?.availableReplicas ?? 0) === (d.spec?.replicas ?? 1));
    for (let i = 0; i < 120 && !rolledOut(); i++) await sleep(250);
    let history: History = emptyHistory();
    // A quiet baseline first: the healthy estate gives no finding at all.
    const quiet: Finding[] = [];
    for (let i = 0; i < 8; i++) {
      for (const o of snapshot()) {
        const r = observe(o, history, new Date(), settings);
        history = r.history;
        quiet.push(...r.findings);
      }
      await sleep(250);
    }
    expect(quiet.map((f) => `${f.name} ${f.workload ?? ""}`)).toEqual([]);

    const inject = (kind: string, target: string, params?: Record<string, unknown>) => {
      const r = sandbox.faults.inject({ kind, namespace: "shop", target, ...(params ? { params } : {}) });
      if (!r.ok) throw new Error(JSON.stringify(r.error));
    };
    inject("crashloop", "cart");
    inject("oom", "payments");
    inject("image-pull", "catalog");
    inject("hung-replica", "checkout");
    inject("dependency-down", "catalog-db");
    inject("noise", "frontend");

    const found: Finding[] = [];
    const expected = { cart: "crashloop", payments: "oom", catalog: "image-pull", checkout: "hung-replica", "catalog-db": "dependency-down" };
    const rootOf = (w: string) => diagnose(found.filter((f) => f.workload === w), context(new Date()))[0];
    const kinds = () => Object.fromEntries(Object.keys(expected).map((w) => [w, rootOf(w)?.kind]));
    for (let i = 0; i < 80 && JSON.stringify(kinds()) !== JSON.stringify(expected); i++) {
      for (const o of snapshot()) {
        const r = observe(o, history, new Date(), settings);
        history = r.history;
        found.push(...r.findings);
      }
      await sleep(250);
    }
    if (process.env.DEBUG_FINDINGS) for (const f of found) process.stderr.write(`${f.at} ${f.name} ${f.workload} ${f.pod ?? ""} ${JSON.stringify(f.labels)}\n`);
    expect(kinds()).toEqual(expected);
    expect(found.filter((f) => f.workload === "frontend").map((f) => f.name)).toEqual([]);

    const ctx = context(new Date());
    const answers = Object.fromEntries(Object.keys(expected).map((w) => [w, rootOf(w)]));
    const firstAction = (w: string) => {
      const d = answers[w];
      const p = d ? plan(d, ctx) : undefined;
      if (p?.route !== "act") return undefined;
      for (const c of p.candidates) expect(Action.safeParse(c.action).success).toBe(true);
      return p.candidates[0];
    };
    expect(firstAction("cart")).toMatchObject({ risk: "low", action: { kind: "rollout-restart", target: "cart" } });
    expect(firstAction("catalog")).toMatchObject({ risk: "medium", action: { kind: "rollback", target: "catalog", params: { toRevision: 2 } } });
    expect(firstAction("catalog-db")).toMatchObject({ risk: "low", action: { kind: "delete-pod", target: "catalog-db", params: { pod: "catalog-db-0" } } });
    const hung = list<PodObject>("pods", "shop").find((p) => p.metadata.name.startsWith("checkout-") && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "False"));
    expect(firstAction("checkout")).toMatchObject({ risk: "low", action: { kind: "delete-pod", target: "checkout", params: { pod: hung?.metadata.name } } });
    // payments' limit is 384Mi and its working set 1.2 × that: the cure needs ≥ 1.5 × 461Mi = 691Mi.
    const raise = firstAction("payments");
    expect(raise).toMatchObject({ risk: "medium", action: { kind: "set-resources", target: "payments" } });
    const memory = raise?.action.kind === "set-resources" ? raise.action.params.limits?.memory : undefined;
    expect(Number(memory?.replace("Mi", ""))).toBeGreaterThanOrEqual(692);
  }, 60_000);

  it("tells a bad rollout from a crash loop and a leak from an OOM by what changed and how memory moves", async () => {
    const reset = await fetch(`${sandbox.controlUrl}/sandbox/reset`, { method: "POST", body: "{}" });
    expect(reset.ok).toBe(true);
    const rolledOut = () => list<WorkloadObject>("apps/deployments", "shop").every((d) => (d.status?.availableReplicas ?? 0) === (d.spec?.replicas ?? 1));
    for (let i = 0; i < 120 && !rolledOut(); i++) await sleep(250);
    const found: Finding[] = [];
    const history = await watch(emptyHistory(), found, () => false, 6);
    for (const [kind, target, params] of [["bad-rollout", "checkout", { mode: "crash" }], ["memory-leak", "frontend", { mibPerMin: 600 }]] as const) {
      const r = sandbox.faults.inject({ kind, namespace: "shop", target, params });
      if (!r.ok) throw new Error(JSON.stringify(r.error));
    }
    const expected = { checkout: "bad-rollout", frontend: "memory-leak" };
    const rootOf = (w: string) => diagnose(found.filter((f) => f.workload === w), context(new Date()))[0];
    const kinds = () => Object.fromEntries(Object.keys(expected).map((w) => [w, rootOf(w)?.kind]));
    await watch(history, found, () => JSON.stringify(kinds()) === JSON.stringify(expected), 160);
    expect(kinds()).toEqual(expected);

    const ctx = context(new Date());
    const first = (w: string) => {
      const d = rootOf(w);
      const p = d ? plan(d, ctx) : undefined;
      return p?.route === "act" ? p.candidates[0] : undefined;
    };
    expect(first("checkout")).toMatchObject({ risk: "medium", action: { kind: "rollback", target: "checkout", params: { toRevision: 2 } } });
    expect(first("frontend")).toMatchObject({ risk: "low", action: { kind: "rollout-restart", target: "frontend" } });
    // The crash loop and the OOM playbooks saw the same pods and stood back.
    expect(diagnose(found.filter((f) => f.workload === "checkout"), ctx).map((d) => d.kind)).not.toContain("crashloop");
    expect(diagnose(found.filter((f) => f.workload === "frontend"), ctx).map((d) => d.kind)).not.toContain("oom");
  }, 60_000);
});
