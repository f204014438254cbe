import type { Action } from "@autodevops/shared";
import type { GraphDeps } from "../deps.js";
import { executeAction, syncActions } from "../execute-action.js";
import type { Execution, ScarletStateType, ScarletUpdate, Verification } from "../state.js";

const isNodeAction = (a: Action) => a.kind === "cordon-node" || a.kind === "drain-node";
/** Revisions an action makes by itself: a rollback, a restart and a resources change each roll out one. */
const OWN_REVISIONS: Record<Action["kind"], number> = { rollback: 1, "rollout-restart": 1, "set-resources": 1, "delete-pod": 0, scale: 0, "cordon-node": 0, "drain-node": 0 };

/** One look at the target: healthy, worse than before, or neither yet. */
function look(deps: GraphDeps, a: Action, incidentId: string, actedAt: number, e: Pick<Execution, "readyBefore" | "revisionBefore" | "uidBefore">): Verification {
  const { readyBefore, revisionBefore, uidBefore } = e;
  const now = deps.now().getTime();
  // Only the watch's findings say the target is still failing now; rate windows and alerts lag a fix.
  const quiet = now - Math.max(actedAt, deps.desk.lastFindingAt(incidentId, { watchOnly: true })) >= deps.verify.quietMs;
  if (isNodeAction(a)) {
    const n = deps.live.nodeHealth(a.cluster, a.target);
    if (!n) return { healthy: false, worse: false, detail: `node ${a.target} is not in the cache` };
    const done = n.cordoned && (a.kind === "cordon-node" || n.readyPods === 0);
    return { healthy: done && quiet, worse: false, detail: `node ${a.target}: ${n.cordoned ? "cordoned" : "schedulable"}, ${n.readyPods} Ready pods of Deployments left on it` };
  }
  const h = deps.live.health(a.cluster, a.namespace, a.target);
  if (!h) return { healthy: false, worse: false, detail: `${a.namespace}/${a.target} is not in the cache` };
  const w = deps.live.playbookContext(a.cluster, deps.now()).workloads?.find((x) => x.namespace === a.namespace && x.name === a.target);
  const revision = w?.revision;
  if (uidBefore !== undefined && w?.uid !== undefined && w.uid !== uidBefore) {
    return { healthy: false, worse: false, superseded: true, detail: `${a.namespace}/${a.target} was deleted and created again after the action: what follows is not the action's doing` };
  }
  if (revisionBefore !== undefined && revision !== undefined && revision - revisionBefore > OWN_REVISIONS[a.kind]) {
    return { healthy: false, worse: false, superseded: true, detail: `${a.namespace}/${a.target} was rolled out again (revision ${revision}) after the action: what follows is that change's, not the action's` };
  }
  const want = a.kind === "scale" ? a.params.replicas : h.replicas;
  const serving = h.ready >= want && h.available >= want && h.crashLooping === 0 && h.updated >= Math.min(want, h.replicas);
  const worse = readyBefore !== undefined && h.ready < readyBefore && h.crashLooping > 0;
  return {
    healthy: serving && quiet,
    worse,
    detail: `${a.namespace}/${a.target}: ${h.ready}/${want} Ready, ${h.available} available, ${h.crashLooping} pods crash-looping${quiet ? "" : ", signals still arriving"}`,
  };
}

/**
 * Re-checks the target until it is healthy and its signals have stopped, or the deadline. A
 * target left worse than before is put back (the recorded undo, judged and signed like any
 * action) and the incident escalated; one merely not better is escalated as a fix that did not hold.
 */
export function verifyNode(deps: GraphDeps) {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return async (s: ScarletStateType): Promise<ScarletUpdate> => {
    const e = s.execution;
    const d = s.diagnosis;
    if (!e || !d) return { escalation: { why: "nothing was executed to verify", nextStep: "investigate" } };
    const record = await deps.actions.get(e.actionId);
    const actedAt = Date.parse(record?.executedAt ?? deps.now().toISOString());
    const deadline = actedAt + deps.verify.deadlineMs;
    let v = look(deps, e.action, s.incidentId, actedAt, e);
    while (!v.healthy && !v.superseded && deps.now().getTime() < deadline) {
      await sleep(deps.verify.pollMs);
      v = look(deps, e.action, s.incidentId, actedAt, e);
    }
    const where = { incidentId: s.incidentId, cluster: e.action.cluster, namespace: e.action.namespace };
    await deps.audit.append({ actor: "scarlet", type: v.healthy ? "verification.passed" : "verification.failed", ...where, data: { actionId: e.actionId, detail: v.detail, worse: v.worse, superseded: v.superseded === true } });
    if (v.healthy || v.superseded) return { verification: v };

    let undone: ScarletUpdate["undone"] = null;
    if (v.worse && e.undo) {
      undone = await executeAction(deps, { incidentId: s.incidentId, actionId: `${e.actionId}-undo`, action: e.undo, faultKind: d.kind, risk: "low", confidence: 1, restoring: true });
      if (undone.ok) await deps.audit.append({ actor: "scarlet", type: "action.undone", ...where, data: { actionId: e.actionId, undo: e.undo } });
      await syncActions(deps, s.incidentId);
    }
    const undoWords = undone ? (undone.ok ? ` It was undone (${e.undo?.kind}).` : ` Undoing it was not allowed or failed: ${undone.detail}.`) : "";
    return {
      verification: v,
      undone,
      escalation: {
        why: `${e.action.kind} on ${e.action.target} ran but the target is ${v.worse ? "worse" : "not healthy"} after ${Math.round(deps.verify.deadlineMs / 1000)} s (${v.detail}).${undoWords}`,
        nextStep: "a person looks at the evidence; Scarlet will not repeat this fix on its own",
      },
    };
  };
}
