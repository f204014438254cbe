import { createHash, createPrivateKey } from "node:crypto";
import pg from "pg";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type { z } from "zod";
import { actionOfCall, type McpToolbox, type ToolCallError, type ToolOutput } from "@autodevops/mcp-clients";
import {
  createLogger,
  DecisionLedger,
  err,
  generatePolicyKeys,
  Incident,
  NewAuditEvent,
  ok,
  verifyDecision,
  type Action,
  type ActionStatus,
  type AuditError,
  type AuditEvent,
  type DecisionClaims,
  type Finding,
  type Result,
} from "@autodevops/shared";
import { createTestDatabase, type TestDatabase } from "@autodevops/shared/testing";
import { detectAlert } from "../detectors/alert-detector.js";
import { finding, type FindingDraft } from "../detectors/finding.js";
import { ESTATE_CALLS } from "../playbooks/test-estate.js";
import type { PlaybookContext, WorkloadFacts } from "../playbooks/types.js";
import { PolicySettings, type TargetFacts } from "../policy/policy-inputs.js";
import { ActionStore } from "../store/action-store.js";
import { ApprovalStore } from "../store/approval-store.js";
import { openScarletDatabase } from "../store/database.js";
import { OutcomeStore } from "../store/outcome-store.js";
import { buildScarletGraph } from "./build-graph.js";
import type { GraphDeps, IncidentDesk, LiveFacts, WorkloadHealth } from "./deps.js";

/**
 * The graph tests' world: the machine's Postgres for the stores and the checkpoints, and honest
 * in-memory stand-ins for what the graph reads from the cluster (LiveFacts), the incidents
 * (IncidentDesk), the MCP toolbox (which checks every decision token like the real one) and the
 * audit log (which validates every event like the real one).
 */

export const CLUSTER = "prod";
const MIB = 2 ** 20;
const log = createLogger({ service: "scarlet-graph-test", level: "silent" });

/** Postgres with Scarlet's migrations and the checkpoint tables; `reset` empties Scarlet's tables between tests. */
export interface GraphDatabase {
  db: TestDatabase;
  pool: pg.Pool;
  checkpointer: PostgresSaver;
  stores: { approvals: ApprovalStore; actions: ActionStore; outcomes: OutcomeStore };
  /** A second checkpointer on the same database, as a restarted process would open. */
  newCheckpointer(): Promise<PostgresSaver>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function openGraphDatabase(): Promise<GraphDatabase> {
  const db = await createTestDatabase("scarlet_graph");
  const pool = await openScarletDatabase(db.url, log);
  const savers: PostgresSaver[] = [];
  const newCheckpointer = async () => {
    // A pool with an error listener: the forced DROP at the end cuts its idle connections, which
    // must not surface as an uncaught error (fromConnString adds no listener).
    const saverPool = new pg.Pool({ connectionString: db.url, max: 4 });
    saverPool.on("error", (e) => log.warn({ err: e }, "checkpoint pool connection lost"));
    const saver = new PostgresSaver(saverPool);
    await saver.setup();
    savers.push(saver);
    return saver;
  };
  const checkpointer = await newCheckpointer();
  return {
    db,
    pool,
    checkpointer,
    stores: { approvals: new ApprovalStore(pool), actions: new ActionStore(pool), outcomes: new OutcomeStore(pool) },
    newCheckpointer,
    reset: async () => {
      // The limits count every action in the database: each test starts with no history.
      await pool.query("TRUNCATE scarlet_actions, scarlet_approvals, scarlet_outcomes");
    },
    close: async () => {
      for (const s of savers) await s.end();
      await pool.end();
      await db.drop();
    },
  };
}

export type PodState = "ready" | "crashloop" | "starting";
export type Pod = { name: string; state: PodState };

export const pods = (workload: string, n: number, state: PodState, from = 0): Pod[] =>
  Array.from({ length: n }, (_, i) => ({ name: `${workload}-${String.fromCharCode(97 + from + i)}`, state }));

/** Facts of a workload as the watch reads them (a revision 2 made an hour ago over one that never served). */
export function workloadFacts(namespace: string, name: string, o: Partial<WorkloadFacts> = {}): WorkloadFacts {
  return {
    namespace,
    name,
    kind: "Deployment",
    replicas: 2,
    available: 2,
    revision: 2,
    revisionAt: new Date(Date.now() - 3_600_000).toISOString(),
    previousRevision: 1,
    previousRan: false,
    containers: [{ name, memoryLimitBytes: 384 * MIB, cpuLimitMilli: 500 }],
    ...o,
  };
}

const key = (namespace: string, name: string) => `${namespace}/${name}`;

/** The cluster as the watch's cache shows it; writes that reach the fake toolbox change it through `apply`. */
export class FakeLive implements LiveFacts {
  readonly #facts = new Map<string, WorkloadFacts>();
  readonly #pods = new Map<string, Pod[]>();
  readonly #nsAnnotations = new Map<string, Record<string, string>>();
  readonly #targetAnnotations = new Map<string, Record<string, string>>();
  /** What a write does to the cluster; by default it cures the workload (fresh pods, all Ready). */
  effect: (a: Action, live: FakeLive) => void = (a, live) => {
    if (a.kind === "cordon-node" || a.kind === "drain-node") return;
    const replicas = a.kind === "scale" ? a.params.replicas : (live.facts(a.namespace, a.target)?.replicas ?? 1);
    live.setPods(a.namespace, a.target, pods(a.target, replicas, "ready", 10), a.kind === "scale" ? replicas : undefined);
  };

  addWorkload(facts: WorkloadFacts, podList: Pod[]): this {
    this.#facts.set(key(facts.namespace, facts.name), facts);
    this.#pods.set(key(facts.namespace, facts.name), podList);
    return this;
  }

  setPods(namespace: string, name: string, podList: Pod[], replicas?: number): void {
    this.#pods.set(key(namespace, name), podList);
    const f = this.#facts.get(key(namespace, name));
    if (f && replicas !== undefined) this.#facts.set(key(namespace, name), { ...f, replicas });
  }

  facts(namespace: string, name: string): WorkloadFacts | undefined {
    const f = this.#facts.get(key(namespace, name));
    if (!f) return undefined;
    const ready = (this.#pods.get(key(namespace, name)) ?? []).filter((p) => p.state === "ready").length;
    return { ...f, available: ready };
  }

  annotateNamespace(namespace: string, annotations: Record<string, string>): this {
    this.#nsAnnotations.set(namespace, annotations);
    return this;
  }

  annotateWorkload(namespace: string, name: string, annotations: Record<string, string>): this {
    this.#targetAnnotations.set(key(namespace, name), annotations);
    return this;
  }

  apply(a: Action): void {
    this.effect(a, this);
  }

  playbookContext(cluster: string, now: Date): PlaybookContext {
    const workloads = [...this.#facts.values()].flatMap((f) => this.facts(f.namespace, f.name) ?? []);
    return { cluster, now, workloads, calls: ESTATE_CALLS };
  }

  targetFacts(a: Action): TargetFacts | undefined {
    if (a.kind === "cordon-node" || a.kind === "drain-node") return undefined;
    const f = this.#facts.get(key(a.namespace, a.target));
    if (!f) return undefined;
    const readyPods = (this.#pods.get(key(a.namespace, a.target)) ?? []).filter((p) => p.state === "ready").map((p) => p.name);
    return { kind: "workload", replicas: f.replicas, readyPods };
  }

  annotations(_cluster: string, namespace: string, target: { workload?: string; node?: string }) {
    return {
      namespace: this.#nsAnnotations.get(namespace) ?? {},
      target: target.workload ? (this.#targetAnnotations.get(key(namespace, target.workload)) ?? {}) : {},
    };
  }

  health(_cluster: string, namespace: string, workload: string): WorkloadHealth | undefined {
    const f = this.#facts.get(key(namespace, workload));
    const list = this.#pods.get(key(namespace, workload));
    if (!f || !list) return undefined;
    const ready = list.filter((p) => p.state === "ready").length;
    return {
      replicas: f.replicas,
      ready,
      available: ready,
      updated: list.length,
      crashLooping: list.filter((p) => p.state === "crashloop").length,
      restarts: list.filter((p) => p.state === "crashloop").length * 4,
      podNames: list.map((p) => p.name),
    };
  }

  nodeHealth(): { cordoned: boolean; readyPods: number } | undefined {
    return undefined;
  }
}

/** The runtime's incidents in memory; every change is checked against the contract's shape. */
export class FakeDesk implements IncidentDesk {
  readonly #incidents = new Map<string, Incident>();
  readonly #findings = new Map<string, Finding[]>();

  open(id: string, findings: Finding[]): Incident {
    const first = findings[0];
    if (!first) throw new Error("an incident needs a finding");
    const now = new Date().toISOString();
    const incident = Incident.parse({
      id,
      fingerprint: `fp-${id}`,
      cluster: first.cluster,
      namespace: first.namespace,
      ...(first.workload ? { workload: first.workload } : {}),
      title: `${first.namespace}/${first.workload ?? "?"}: ${first.name}`,
      severity: findings.some((f) => f.severity === "critical") ? "critical" : "warning",
      status: "open",
      signals: findings.map((f) => ({ source: f.source, name: f.name, at: f.at })),
      rootCause: null,
      decision: null,
      actions: [],
      openedAt: now,
      updatedAt: now,
    });
    this.#incidents.set(id, incident);
    this.#findings.set(id, findings);
    return incident;
  }

  view(id: string): Incident | undefined {
    const i = this.#incidents.get(id);
    return i ? structuredClone(i) : undefined;
  }

  findings(id: string): Finding[] {
    return [...(this.#findings.get(id) ?? [])];
  }

  symptomOf(): string | undefined {
    return undefined;
  }

  async update(id: string, change: (i: Incident) => void): Promise<Incident | undefined> {
    const current = this.#incidents.get(id);
    if (!current) return undefined;
    const next = structuredClone(current);
    change(next);
    next.updatedAt = new Date().toISOString();
    this.#incidents.set(id, Incident.parse(next));
    return this.view(id);
  }

  async resolve(id: string): Promise<void> {
    const current = this.#incidents.get(id);
    if (!current) return;
    const settled = current.status === "escalated" || current.status === "failed";
    this.#incidents.set(id, { ...current, status: settled ? current.status : "resolved", resolvedAt: new Date().toISOString() });
  }

  lastFindingAt(id: string): number {
    return Math.max(0, ...(this.#findings.get(id) ?? []).map((f) => Date.parse(f.at)));
  }
}

/** One call that reached the toolbox, with what the toolbox made of it. */
export type ToolCall = {
  tool: string;
  args: Record<string, unknown>;
  decision?: string;
  dryRun: boolean;
  /** The verified decision, for a write that was let through. */
  claims?: DecisionClaims;
  /** Why the toolbox refused it, for one that was not. */
  refused?: string;
};

/**
 * The MCP toolbox as Scarlet's is: a dry run needs nothing, any other write needs a decision
 * token that verifies against the policy's public key for exactly the action the arguments
 * describe, once. Writes that pass change the fake cluster.
 */
export class RecordingTools implements Pick<McpToolbox, "call"> {
  readonly calls: ToolCall[] = [];
  readonly #ledger = new DecisionLedger();
  constructor(
    private readonly publicKeyPem: string,
    private readonly live: FakeLive,
  ) {}

  async call(tool: string, args: Record<string, unknown> = {}, opts: { decision?: string } = {}): Promise<Result<ToolOutput, ToolCallError>> {
    const base = { tool, args, dryRun: args.dryRun === true, ...(opts.decision !== undefined ? { decision: opts.decision } : {}) };
    const refuse = (reason: string, message: string): Result<ToolOutput, ToolCallError> => {
      this.calls.push({ ...base, refused: `${reason}: ${message}` });
      return err({ code: "refused", reason, message });
    };
    const action = actionOfCall(tool, args);
    if (!action.ok) return refuse("not_an_action", action.error);
    const output = (text: string): Result<ToolOutput, ToolCallError> => ok({ server: "kubernetes", tool, text, content: [{ type: "text", text }], cached: false });
    if (args.dryRun === true) {
      this.calls.push(base);
      return output(`dry run: ${tool} would change ${action.value.namespace}/${action.value.target}`);
    }
    if (!opts.decision) return refuse("no_decision", `${tool} changes the cluster and needs a policy decision`);
    const verified = verifyDecision(opts.decision, this.publicKeyPem, action.value, { now: new Date() });
    if (!verified.ok) return refuse(verified.error.code, verified.error.message);
    if (!this.#ledger.use(verified.value)) return refuse("replayed", `decision ${verified.value.id} was used before`);
    this.calls.push({ ...base, claims: verified.value });
    this.live.apply(action.value);
    return output(`${tool} ${action.value.namespace}/${action.value.target}: done`);
  }

  /** Calls that could change the cluster: every call but a dry run (an approval's preview is one). */
  get attempts(): ToolCall[] {
    return this.calls.filter((c) => !c.dryRun);
  }

  /** Writes that were let through with a valid decision. */
  get writes(): (ToolCall & { claims: DecisionClaims })[] {
    return this.calls.filter((c): c is ToolCall & { claims: DecisionClaims } => c.claims !== undefined);
  }

  get refused(): ToolCall[] {
    return this.calls.filter((c) => c.refused !== undefined);
  }
}

type StoredEvent = z.output<typeof NewAuditEvent>;

/** The audit log's `append`: validates like the Postgres store, keeps the events in order. */
export class AuditRecorder {
  readonly events: StoredEvent[] = [];
  readonly invalid: { event: unknown; message: string }[] = [];

  async append(event: NewAuditEvent): Promise<Result<AuditEvent, AuditError>> {
    const parsed = NewAuditEvent.safeParse(event);
    if (!parsed.success) {
      this.invalid.push({ event, message: parsed.error.message });
      return err({ code: "invalid", message: parsed.error.message });
    }
    const e = parsed.data;
    this.events.push(e);
    const hash = createHash("sha256").update(JSON.stringify(e)).digest("hex");
    return ok({
      seq: this.events.length,
      at: new Date().toISOString(),
      actor: e.actor,
      type: e.type,
      incidentId: e.incidentId ?? null,
      target: e.target ?? null,
      cluster: e.cluster ?? null,
      namespace: e.namespace ?? null,
      data: e.data,
      prevHash: "0".repeat(64),
      hash,
    });
  }

  of(incidentId: string): StoredEvent[] {
    return this.events.filter((e) => e.incidentId === incidentId);
  }

  types(incidentId: string): string[] {
    return this.of(incidentId).map((e) => e.type);
  }
}

export const POLICY_KEYS = generatePolicyKeys();
export const VERIFY_FAST = { deadlineMs: 3000, pollMs: 50, quietMs: 0 };

/** One test's world: a fake cluster, desk, toolbox and audit around the shared database. */
export function scenario(h: GraphDatabase, settings: z.input<typeof PolicySettings> = {}) {
  const live = new FakeLive();
  const desk = new FakeDesk();
  const tools = new RecordingTools(POLICY_KEYS.publicKeyPem, live);
  const audit = new AuditRecorder();
  const deps: GraphDeps = {
    now: () => new Date(),
    log,
    audit,
    desk,
    live,
    approvals: h.stores.approvals,
    actions: h.stores.actions,
    outcomes: h.stores.outcomes,
    policy: { settings: PolicySettings.parse(settings), privateKey: createPrivateKey(POLICY_KEYS.privateKeyPem) },
    tools,
    verify: VERIFY_FAST,
    // Never hold a low-risk fix back for more evidence: each test decides on the findings it opened with.
    evidenceWaitMs: 0,
  };
  const graphWith = (checkpointer: BaseCheckpointSaver, over: Partial<GraphDeps> = {}) => buildScarletGraph({ ...deps, ...over }, checkpointer);
  const graph = graphWith(h.checkpointer);
  return {
    live,
    desk,
    tools,
    audit,
    deps,
    graph,
    graphWith,
    /** Starts (or restarts) the incident's thread as the runner does. */
    run: (incidentId: string, g = graph) => g.invoke({ incidentId }, configOf(incidentId)),
  };
}

export const configOf = (incidentId: string) => ({ configurable: { thread_id: incidentId }, recursionLimit: 50 });

let seq = 0;
/** A fresh incident id: threads and action ids are named after it, and the checkpoints outlive `reset`. */
export const newIncidentId = (what: string) => `inc-${what}-${++seq}-${Date.now().toString(36)}`;

/** A finding as the detectors write it, stamped now. */
const detected = (d: Omit<FindingDraft, "source" | "cluster" | "severity"> & Partial<FindingDraft>): Finding =>
  finding({ source: "watch", cluster: CLUSTER, severity: "critical", ...d }, new Date());

/** Extra words a finding may carry (a log line, an alert annotation): data, never instructions. */
export type Words = { summary?: string; evidence?: string[]; labels?: Record<string, string>; annotation?: string };

/** A crash loop as the pod detector and Alertmanager's KubePodCrashLooping report it. */
export function crashLoopFindings(namespace: string, workload: string, podNames: string[], words: Words = {}): Finding[] {
  const crashes = podNames.map((pod) =>
    detected({
      name: "pod.crashloop",
      kind: "crashloop",
      namespace,
      workload,
      pod,
      summary: `${pod} (${workload}) keeps crashing (exit 1)${words.summary ? `: ${words.summary}` : ""}`,
      evidence: [`container ${workload} of pod ${pod}: restartCount=4 (4 in the last 10m)`, "waiting: CrashLoopBackOff", "last terminated: reason=Error exitCode=1", ...(words.evidence ?? [])],
      labels: { workloadKind: "Deployment", container: workload, restarts: "4", exitCode: "1", lastReason: "Error", ...words.labels },
    }),
  );
  const alert = detectAlert(
    {
      type: "alert",
      cluster: CLUSTER,
      alert: {
        status: "firing",
        labels: { alertname: "KubePodCrashLooping", namespace, pod: podNames[0] ?? workload, workload, severity: "warning", ...words.labels },
        annotations: { summary: `Pod ${namespace}/${podNames[0] ?? workload} is crash looping.`, ...(words.annotation ? { description: words.annotation } : {}) },
        startsAt: new Date(Date.now() - 120_000).toISOString(),
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: "http://prometheus/graph",
        fingerprint: `am-crash-${namespace}-${workload}`,
      },
    },
    new Date(),
  );
  return [...crashes, ...alert];
}

/** OOM kills at a limit the working set sits at: the oom playbook raises the limit (medium risk, so approval). */
export function oomFindings(namespace: string, workload: string, podNames: string[]): Finding[] {
  const kills = podNames.map((pod) =>
    detected({
      name: "pod.oomkilled",
      kind: "oom",
      namespace,
      workload,
      pod,
      summary: `${pod} (${workload}) is OOMKilled again and again (exit 137)`,
      evidence: [`container ${workload} of pod ${pod}: restartCount=3`, "last terminated: reason=OOMKilled exitCode=137"],
      labels: { workloadKind: "Deployment", container: workload, restarts: "3", exitCode: "137", lastReason: "OOMKilled" },
    }),
  );
  const atLimit = detected({
    source: "prometheus",
    name: "memory.at-limit",
    kind: "oom",
    severity: "warning",
    namespace,
    workload,
    pod: podNames[0],
    summary: `${workload} working set at its 384Mi limit`,
    evidence: ["container_memory_working_set_bytes 402653184 of limit 402653184"],
    labels: { workingSetBytes: String(384 * MIB), limitBytes: String(384 * MIB), container: workload },
  });
  return [...kills, atLimit];
}

/** CPU throttling under twice the usual traffic: the traffic-spike playbook scales up (low risk, so auto). */
export function trafficSpikeFindings(namespace: string, workload: string): Finding[] {
  return [
    detected({ source: "alertmanager", name: "CPUThrottlingHigh", kind: "traffic-spike", severity: "warning", namespace, workload, summary: `CPUThrottlingHigh on ${workload}`, evidence: [] }),
    detected({
      source: "prometheus",
      name: "metric.request-rate-anomaly",
      kind: "traffic-spike",
      severity: "warning",
      namespace,
      workload,
      summary: `${workload} request rate at 2.0× baseline`,
      evidence: [],
      labels: { ratio: "2.00" },
    }),
  ];
}

/** A past action in the store, as another incident left it `secondsAgo`. */
export async function seedAction(store: ActionStore, id: string, action: Action, status: ActionStatus, secondsAgo: number): Promise<void> {
  const at = new Date(Date.now() - secondsAgo * 1000);
  await store.propose(id, "inc-earlier", action, "scarlet", at);
  if (status !== "proposed") await store.transition(id, ["proposed"], status, status === "succeeded" || status === "failed" ? { executedAt: at } : {});
}
