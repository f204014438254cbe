import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createPrivateKey, type KeyObject } from "node:crypto";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import pg from "pg";
import type { KubeConfig } from "@kubernetes/client-node";
import type { McpToolbox } from "@autodevops/mcp-clients";
import { createServiceMetrics, err, ok, type AlertmanagerWebhook, type Approval, type ApprovalDecision, type AuditStore, type EventBus, type Finding, type Logger, type Result } from "@autodevops/shared";
import { createScarletServer } from "../api/server.js";
import type { DecideError, ScarletApi } from "../api/scarlet-api.js";
import type { DetectorSettings } from "../detectors/settings.js";
import { buildScarletGraph } from "../graph/build-graph.js";
import type { GraphDeps, VerifySettings } from "../graph/deps.js";
import { buildCallGraph, ESTATE_CALL_GRAPH, type CallGraphConfig } from "../incidents/call-graph.js";
import { startClusterWatch, type ClusterWatch } from "../monitor/cluster-watch.js";
import { observationsOf } from "../monitor/cluster-facts.js";
import { startTelemetryChecks, type TelemetryChecks, type TelemetrySource } from "../monitor/telemetry-checks.js";
import type { PolicySettings } from "../policy/policy-inputs.js";
import { ActionStore } from "../store/action-store.js";
import { ApprovalStore } from "../store/approval-store.js";
import { openScarletDatabase } from "../store/database.js";
import { IncidentStore } from "../store/incident-store.js";
import { OutcomeStore } from "../store/outcome-store.js";
import { Desk } from "./incident-desk.js";
import { IncidentRunner } from "./incident-runner.js";
import { WatchFacts } from "./live-facts.js";
import { ScarletMetrics } from "./scarlet-metrics.js";
import { proposeChange } from "./change-requests.js";
import type { Leadership } from "./leader-election-clusters.js";
import { LeaderGuardedActionStore } from "./leader-election-guard.js";
import { SignalPipeline } from "./signal-pipeline.js";
import { GitOpsPath, type GitOpsSettings } from "../gitops/gitops-path.js";
import type { GitOpsRepo } from "../gitops/gitops-repo.js";
import { filePostmortems } from "./postmortem-filing.js";
import { watchPullRequests } from "./pull-request-decisions.js";

export interface ScarletOptions {
  databaseUrl: string;
  clusters: { name: string; kubeConfig: KubeConfig }[];
  telemetry?: TelemetrySource;
  telemetryIntervalMs?: number;
  tools: McpToolbox;
  audit: AuditStore;
  bus?: EventBus;
  log: Logger;
  host: string;
  port: number;
  approvers: { token: string; user: string }[];
  alertsAuth: { bearerToken?: string; basic?: { username: string; password: string } };
  policy: { settings: PolicySettings; privateKeyPem: string };
  detectors: DetectorSettings;
  verify: VerifySettings;
  /** How long a low-risk fix may wait for more evidence before a human is asked (default 60 s). */
  evidenceWaitMs?: number;
  callGraph?: CallGraphConfig;
  /** Wait after an incident opens before deciding (correlation settles), and before retrying a paused run. */
  settleMs?: number;
  retryMs?: number;
  /** An incident nothing works on closes after its signals stop for this long. */
  closeQuietMs?: number;
  /** How often the watch caches are read into the detectors. */
  tickMs?: number;
  /** The cluster of an alert without a `cluster` label. */
  defaultCluster?: string;
  gatherEvidence?: GraphDeps["gatherEvidence"];
  summarize?: GraphDeps["summarize"];
  rank?: GraphDeps["rank"];
  now?: () => Date;
  /**
   * Several replicas: this one works only the clusters whose Lease it holds (watch, detection,
   * graph threads, sweeps), adopting their unsettled incidents when it gains one. Every replica
   * serves the API. Without it, this process works every cluster.
   */
  leadership?: Leadership;
  /** The GitOps change path (GITOPS_REPO and GITHUB_TOKEN set). */
  gitops?: { repo: GitOpsRepo; settings: GitOpsSettings; pollMs: number; postmortems: "pr" | "issue" | "off" };
}

export interface RunningScarlet {
  url: string;
  api: ScarletApi;
  stop(): Promise<void>;
}

const newIncidentId = () => `inc-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;

/** Starts Scarlet: database and checkpointer, watches, telemetry checks, the graph runner and the HTTP API. */
export async function startScarlet(o: ScarletOptions): Promise<RunningScarlet> {
  const now = o.now ?? (() => new Date());
  const log = o.log;
  const pool = await openScarletDatabase(o.databaseUrl, log);
  // Its own pool, with an error listener: a checkpoint connection lost while idle (Postgres going
  // away) must be logged, not crash the process (PostgresSaver.fromConnString adds no listener).
  const checkpointPool = new pg.Pool({ connectionString: o.databaseUrl, max: 4, application_name: "scarlet-checkpoints" });
  checkpointPool.on("error", (e) => log.warn({ err: e }, "checkpoint pool client failed"));
  const checkpointer = new PostgresSaver(checkpointPool);
  await checkpointer.setup();
  const leadership = o.leadership;
  const leads = (cluster: string) => leadership?.leads(cluster) ?? true;
  const actions = leadership ? new LeaderGuardedActionStore(pool, leads) : new ActionStore(pool);
  const stores = { incidents: new IncidentStore(pool), approvals: new ApprovalStore(pool), actions, outcomes: new OutcomeStore(pool) };
  const graphConfig = buildCallGraph(o.callGraph ?? ESTATE_CALL_GRAPH);
  const desk = new Desk({ store: stores.incidents, audit: o.audit, ...(o.bus ? { bus: o.bus } : {}), log, now, newId: newIncidentId, graph: graphConfig, watchQuietMs: 5000, subjectOf: (c, ns, w) => facts.uidOf(c, ns, w) });
  const metrics = createServiceMetrics("scarlet");
  const scarletMetrics = new ScarletMetrics(metrics);

  const watches = new Map<string, ClusterWatch>();
  const facts = new WatchFacts(watches, graphConfig);
  const privateKey: KeyObject = createPrivateKey(o.policy.privateKeyPem);
  const deps: GraphDeps = {
    now,
    log: log.child({ component: "graph" }),
    audit: o.audit,
    ...(o.bus ? { bus: o.bus } : {}),
    desk,
    live: facts,
    approvals: stores.approvals,
    actions: stores.actions,
    outcomes: stores.outcomes,
    policy: { settings: o.policy.settings, privateKey },
    tools: o.tools,
    verify: o.verify,
    evidenceWaitMs: o.evidenceWaitMs ?? 60_000,
    ...(o.gatherEvidence ? { gatherEvidence: o.gatherEvidence } : {}),
    ...(o.summarize ? { summarize: o.summarize } : {}),
    ...(o.rank ? { rank: o.rank } : {}),
  };
  const gitops = o.gitops ? new GitOpsPath(o.gitops.settings, { repo: o.gitops.repo, live: facts, tools: o.tools, log: log.child({ component: "gitops" }), now }) : undefined;
  if (gitops) deps.gitops = gitops;
  const graph = buildScarletGraph(scarletMetrics.instrument(deps), checkpointer);
  /** Whether this replica works the incident: always without leader election, else when it leads the incident's cluster. */
  const ours = (id: string) => {
    if (!leadership) return true;
    const v = desk.view(id);
    return v !== undefined && leads(v.cluster);
  };
  const runner = new IncidentRunner({ graph, log: log.child({ component: "runner" }), settleMs: o.settleMs ?? 3000, retryMs: o.retryMs ?? 5000, ...(leadership ? { may: ours } : {}) });
  const pipeline = new SignalPipeline(
    desk,
    o.detectors,
    now,
    (incidentId: string, f: Finding) => {
      scarletMetrics.finding(f, desk.view(incidentId));
      runner.poke(incidentId);
    },
    log.child({ component: "signals" }),
  );

  // Incidents a previous process (or the previous leader of a cluster) left: adopt them, then continue their threads.
  // `beforeRecover` runs between the two: a new leader starts the cluster's watch there, so that its
  // findings join the adopted incidents and the recovered runs' verification has live facts.
  const adoptUnsettled = async (cluster?: string, beforeRecover?: () => Promise<void>) => {
    const unsettled = (await stores.incidents.unsettled()).filter((i) => cluster === undefined || i.cluster === cluster);
    desk.adopt(unsettled);
    await beforeRecover?.();
    for (const i of unsettled) {
      const decided = (await stores.approvals.list({ incidentId: i.id })).some((a) => a.status !== "pending");
      await runner.recover(i.id, decided).catch((e: unknown) => log.warn({ err: e, incidentId: i.id }, "could not recover the incident's run"));
    }
  };
  const watchCluster = async (c: ScarletOptions["clusters"][number]) => {
    if (!watches.has(c.name)) watches.set(c.name, await startClusterWatch({ cluster: c.name, kubeConfig: c.kubeConfig, log: log.child({ component: "watch", cluster: c.name }) }));
  };
  if (!leadership) {
    await adoptUnsettled();
    for (const c of o.clusters) await watchCluster(c);
  }
  const tick = setInterval(() => {
    for (const w of watches.values()) pipeline.observe(observationsOf(w, now()));
  }, o.tickMs ?? 500);
  let telemetry: TelemetryChecks | undefined;
  if (o.telemetry) {
    telemetry = startTelemetryChecks({
      source: o.telemetry,
      intervalMs: o.telemetryIntervalMs ?? 5000,
      log: log.child({ component: "telemetry" }),
      onObservations: (obs) => {
        for (const m of obs) {
          if (m.type === "memory") facts.noteMemory(m);
          else if (m.type === "metric") facts.noteLoad(m, pipeline.isSpike(m));
        }
        pipeline.observe(leadership ? obs.filter((m) => leads(m.cluster)) : obs);
      },
    });
  }

  // Incidents whose signals stopped and that nothing works on are closed, so a new occurrence is a new incident.
  // An approval still pending when the trouble has cleared on its own is withdrawn, and the thread
  // goes on to close the incident without acting.
  const closeQuietMs = o.closeQuietMs ?? 600_000;
  const quietClose = setInterval(() => {
    void (async () => {
      await desk.closeQuiet(closeQuietMs, (id) => !ours(id) || ["running", "waiting"].includes(runner.phaseOf(id)));
      for (const id of desk.openIds()) {
        if (runner.phaseOf(id) !== "waiting" || !ours(id)) continue;
        // A workload deleted and created again is not the one the approval was asked for.
        const replaced = desk.replaced(id);
        if (!replaced && now().getTime() - desk.lastFindingAt(id) < closeQuietMs) continue;
        const reason = replaced ? "withdrawn: the workload was deleted and created again since it was asked for" : "withdrawn: no signal for the incident any more";
        for (const a of await stores.approvals.withdraw(id)) {
          await o.audit.append({ actor: "scarlet", type: "approval.expired", incidentId: id, data: { approvalId: a.id, reason } });
          scarletMetrics.approvalClosed();
          if (a.pullRequest) await gitops?.withdraw(a.pullRequest, reason);
        }
        await runner.resume(id);
      }
    })().catch((e: unknown) => log.warn({ err: e }, "quiet close failed"));
  }, 5000);

  // Approvals nobody decided in time: expire them and let their threads escalate.
  const expiry = setInterval(() => {
    void stores.approvals
      .expireDue(now())
      .then(async (expired) => {
        for (const a of expired) {
          await o.audit.append({ actor: "scarlet", type: "approval.expired", incidentId: a.incidentId, data: { approvalId: a.id, expiresAt: a.expiresAt } });
          scarletMetrics.approvalClosed();
          if (a.pullRequest) await gitops?.withdraw(a.pullRequest, `nobody merged it before ${a.expiresAt}`);
          await runner.resume(a.incidentId);
        }
      })
      .catch((e: unknown) => log.warn({ err: e }, "approval expiry sweep failed"));
  }, 5000);

  // With several replicas an approval may be decided on any of them (or expire on any): the leader
  // resumes its waiting threads whose approval is no longer pending, told at once by the bus and
  // every few seconds by this sweep in case a message was lost.
  const resumeDecided = async () => {
    for (const id of runner.waiting()) {
      if (!ours(id)) continue;
      const decided = (await stores.approvals.list({ incidentId: id })).some((a) => a.status !== "pending");
      if (decided && runner.resumeIfWaiting(id)) log.info({ incidentId: id }, "approval decided elsewhere: resuming");
    }
  };
  const sweepDecided = () => void resumeDecided().catch((e: unknown) => log.warn({ err: e }, "decided-approval sweep failed"));
  const decidedSweep = leadership ? setInterval(sweepDecided, 2000) : undefined;
  const unsubscribe = leadership ? await o.bus?.subscribe("approval.decided", sweepDecided) : undefined;

  const api: ScarletApi = {
    listIncidents: (q) => stores.incidents.list(q),
    // A replica's memory is current only for the clusters it leads; Postgres has the rest.
    getIncident: async (id) => {
      const v = desk.view(id);
      return v && leads(v.cluster) ? v : ((await stores.incidents.get(id)) ?? v);
    },
    listApprovals: (q) => stores.approvals.list(q),
    async decideApproval(id: string, d: ApprovalDecision, approver: string, via?: { pullRequest: string }): Promise<Result<Approval, DecideError>> {
      const asked = via ? undefined : await stores.approvals.get(id);
      // A GitOps change is approved by merging its pull request, where the repository's own review rules apply.
      if (asked?.pullRequest && d.decision === "approve" && asked.status === "pending") {
        return err({ code: "merge_required", message: `approval ${id} is pull request #${asked.pullRequest.number} in ${asked.pullRequest.repo}: approve it by merging ${asked.pullRequest.url}` });
      }
      const r = await stores.approvals.decide(id, d, approver, now());
      if (!r.ok) return err(r.error);
      await o.audit.append({ actor: approver, type: "approval.decided", incidentId: r.value.incidentId, data: { approvalId: id, decision: d.decision, reason: d.reason ?? null, ...(via ? { via: "pull-request", pullRequest: via.pullRequest } : {}) } });
      if (!via && r.value.pullRequest) await gitops?.withdraw(r.value.pullRequest, `rejected by ${approver}${d.reason ? `: ${d.reason}` : ""}`);
      await o.bus?.publish("approval.decided", { approvalId: id, decision: d.decision, by: approver }).catch(() => undefined);
      scarletMetrics.approvalClosed();
      // The run continues in the background; the caller sees the decision recorded.
      // With several replicas, only a waiting thread of ours resumes here (the leader's sweep takes the rest).
      if (leadership) runner.resumeIfWaiting(r.value.incidentId);
      else void runner.resume(r.value.incidentId);
      return ok(r.value);
    },
    propose: async (request) => {
      const cluster = request.action.cluster;
      if (!leads(cluster)) return err({ code: "not_leader", cluster, message: `replica ${leadership?.identity ?? ""} does not lead cluster ${cluster}: change requests go to its leader` });
      return ok(await proposeChange(request, { desk, runner, approvalsOf: (incidentId) => stores.approvals.list({ incidentId }), now }));
    },
    async ingestAlerts(payload: AlertmanagerWebhook) {
      const cluster = o.defaultCluster ?? o.clusters[0]?.name ?? "default";
      // Alerts about a cluster another replica leads are that replica's to take (its watch sees the same trouble).
      return pipeline.alerts(leadership ? payload.alerts.filter((a) => leads(a.labels.cluster ?? cluster)) : payload.alerts, cluster);
    },
    readiness: () => {
      const checks = Object.fromEntries([...watches].map(([name, w]) => [`watch:${name}`, w.ready]));
      return { ready: Object.values(checks).every(Boolean), checks: { database: true, checkpointer: true, ...checks } };
    },
  };

  const stopPullRequestWatch = gitops
    ? watchPullRequests({ pending: () => stores.approvals.list({ status: "pending" }), gitops, ours: (id) => ours(id), decide: (id, d, by, via) => api.decideApproval(id, d, by, via), audit: o.audit, log: log.child({ component: "gitops" }), pollMs: o.gitops?.pollMs ?? 15_000 })
    : undefined;
  const g = o.gitops;
  const stopPostmortems =
    g && g.postmortems !== "off"
      ? filePostmortems({ mode: g.postmortems, repo: g.repo, incidents: (since) => stores.incidents.list({ since }), audit: o.audit, ours: (i) => leads(i.cluster), log: log.child({ component: "postmortems" }), now, everyMs: g.pollMs })
      : undefined;

  const server = createScarletServer({ api, approvers: o.approvers, alerts: o.alertsAuth, audit: o.audit, metrics, log: log.child({ component: "http" }) });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${o.host.includes(":") ? `[${o.host}]` : o.host}:${address.port}`;
  await o.audit.append({ actor: "scarlet", type: "system.started", data: { url, clusters: o.clusters.map((c) => c.name), dryRun: o.policy.settings.dryRun, ...(leadership ? { replica: leadership.identity } : {}) } });
  log.info({ url, clusters: o.clusters.map((c) => c.name), ...(leadership ? { replica: leadership.identity } : {}) }, "Scarlet is watching");

  // Gains and losses of a cluster, one at a time per cluster: a gain adopts the cluster's unsettled
  // incidents (as a restart does) and starts its watch; a loss stops the watch (the runner and the
  // action guard already refuse the cluster's work, since `leads` turned false first).
  const changes = new Map<string, Promise<void>>();
  leadership?.start((cluster, leading) => {
    const c = o.clusters.find((x) => x.name === cluster);
    if (!c) return;
    const change = async () => {
      if (leading && leads(cluster)) {
        await adoptUnsettled(cluster, async () => {
          await watchCluster(c);
          log.info({ cluster, replica: leadership.identity }, "leading the cluster: its incidents adopted, its watch started");
        });
      } else if (!leading) {
        const w = watches.get(cluster);
        watches.delete(cluster);
        await w?.stop();
        log.warn({ cluster, replica: leadership.identity }, "no longer leading the cluster: stopped working it");
      }
    };
    const next = (changes.get(cluster) ?? Promise.resolve()).then(change).catch((e: unknown) => log.error({ err: e, cluster }, "leadership change failed"));
    changes.set(cluster, next);
  });

  return {
    url,
    api,
    async stop() {
      clearInterval(tick);
      clearInterval(expiry);
      clearInterval(quietClose);
      stopPullRequestWatch?.();
      stopPostmortems?.();
      if (decidedSweep) clearInterval(decidedSweep);
      await unsubscribe?.().catch(() => undefined);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await telemetry?.stop();
      await runner.stop();
      await Promise.allSettled(changes.values());
      for (const w of watches.values()) await w.stop();
      // Released only once nothing runs here, so the next leader starts from settled checkpoints.
      await leadership?.stop();
      await desk.close();
      await o.audit.append({ actor: "scarlet", type: "system.stopped", data: {} }).catch(() => undefined);
      await checkpointer.end();
      await pool.end();
    },
  };
}
