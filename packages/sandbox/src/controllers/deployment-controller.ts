import { labelSelectorFromSpec, matchesLabels } from "../store/selectors.js";
import type { KubeObject } from "../store/types.js";
import { keyOf, splitKey, watchResource, type ControllerContext, type Stoppable } from "./controller-context.js";
import { fenceposts, newReplicaSetReplicas, scaleDownOld, type RsView } from "./deployment-rollout.js";
import { condition, deploymentCondition, isComplete, nextDeploymentStatus, REASON, setDeploymentCondition } from "./deployment-status.js";
import { controllerOf, controllerRef, timestamp, typed, type Deployment, type DeploymentStatus, type Pod, type ReplicaSet } from "./kube-shapes.js";
import { isPodActive } from "./pod-state.js";
import { POD_TEMPLATE_HASH, sameTemplate, templateHash } from "./template-hash.js";
import { WorkQueue } from "./work-queue.js";

const DEPLOYMENTS = "apps/deployments";
const REPLICASETS = "apps/replicasets";
const SOURCE = { component: "deployment-controller" };

export const DEPLOYMENT_ANNOTATIONS = {
  revision: "deployment.kubernetes.io/revision",
  revisionHistory: "deployment.kubernetes.io/revision-history",
  desiredReplicas: "deployment.kubernetes.io/desired-replicas",
  maxReplicas: "deployment.kubernetes.io/max-replicas",
  changeCause: "kubernetes.io/change-cause",
} as const;

// Annotations of the deployment that are its own, not the ReplicaSet's to inherit.
const NOT_COPIED = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  DEPLOYMENT_ANNOTATIONS.revision,
  DEPLOYMENT_ANNOTATIONS.revisionHistory,
  DEPLOYMENT_ANNOTATIONS.desiredReplicas,
  DEPLOYMENT_ANNOTATIONS.maxReplicas,
  "deprecated.deployment.rollback.to",
]);

export const revisionOf = (rs: { metadata: { annotations?: Record<string, string> } }): number =>
  Number(rs.metadata.annotations?.[DEPLOYMENT_ANNOTATIONS.revision] ?? 0) || 0;

const replicasOf = (rs: ReplicaSet) => rs.spec?.replicas ?? 0;

function view(rs: ReplicaSet): RsView {
  return {
    name: rs.metadata.name,
    replicas: replicasOf(rs),
    available: Math.min(rs.status?.availableReplicas ?? 0, replicasOf(rs)),
    created: rs.metadata.creationTimestamp,
  };
}

/**
 * The deployment controller: one ReplicaSet per pod template (named by its pod-template-hash),
 * revisions in annotations, RollingUpdate within maxSurge/maxUnavailable or Recreate, old
 * ReplicaSets pruned past revisionHistoryLimit, and the status kubectl's `rollout status` reads.
 * Each sync takes one step (scale up, or scale down) and the ReplicaSets' own changes bring the
 * next sync, as the real controller does.
 */
export function startDeploymentController(ctx: ControllerContext): Stoppable {
  const { store, recorder } = ctx;
  const queue = new WorkQueue("deployment", reconcile, ctx.log);

  const enqueueOwnerOfRs = (rs: KubeObject) => {
    const owner = controllerOf(rs);
    if (owner?.kind === "Deployment") queue.add(`${rs.metadata.namespace}/${owner.name}`);
    else if (!owner) for (const d of store.list(DEPLOYMENTS, { namespace: rs.metadata.namespace }).items) queue.add(keyOf(d));
  };
  const unwatch = [
    watchResource(ctx, DEPLOYMENTS, (e) => queue.add(keyOf(e.object))),
    watchResource(ctx, REPLICASETS, (e) => enqueueOwnerOfRs(e.object)),
    // Recreate waits for the old pods to be gone, which changes no ReplicaSet.
    watchResource(ctx, "pods", (e) => {
      if (e.type !== "DELETED") return;
      const owner = controllerOf(e.object);
      if (owner?.kind !== "ReplicaSet") return;
      const rs = store.get(REPLICASETS, e.object.metadata.namespace, owner.name);
      if (rs) enqueueOwnerOfRs(rs);
    }),
  ];

  function reconcile(key: string): void {
    const [namespace, name] = splitKey(key);
    const found = store.get(DEPLOYMENTS, namespace, name);
    if (!found || found.metadata.deletionTimestamp) return;
    const d = typed<Deployment>(found);
    const now = ctx.now();
    const nowText = timestamp(now);
    const spec = d.spec ?? {};
    const replicas = spec.replicas ?? 1;
    const selector = labelSelectorFromSpec(spec.selector);

    const owned: ReplicaSet[] = [];
    for (const o of store.list(REPLICASETS, { namespace }).items) {
      const rs = typed<ReplicaSet>(o);
      const owner = controllerOf(rs);
      if (owner?.uid === d.metadata.uid) owned.push(rs);
      else if (!owner && !rs.metadata.deletionTimestamp && spec.selector && matchesLabels(selector, rs.metadata.labels)) {
        // An orphan that matches the selector is adopted, as the real controller does.
        const adopted = store.mutate(REPLICASETS, namespace, rs.metadata.name, (x) => {
          x.metadata.ownerReferences = [...(x.metadata.ownerReferences ?? []), controllerRef(d)];
        });
        if (adopted.ok) owned.push(typed<ReplicaSet>(adopted.value));
      }
    }
    owned.sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || a.metadata.name.localeCompare(b.metadata.name));
    let newRS = owned.find((rs) => !rs.metadata.deletionTimestamp && sameTemplate(rs.spec?.template, spec.template));
    const oldRSs = () => owned.filter((rs) => rs.metadata.name !== newRS?.metadata.name);
    const working: DeploymentStatus = structuredClone(d.status ?? {});

    const finish = (): void => {
      const all = newRS ? [newRS, ...oldRSs()] : oldRSs();
      const { status, deadlineAt } = nextDeploymentStatus({ ...d, status: working }, newRS, all, now, nowText);
      store.mutate(DEPLOYMENTS, namespace, name, (o) => void (o.status = status), { subresource: "status" });
      if (deadlineAt !== undefined) queue.addAfter(key, deadlineAt - now.getTime());
    };

    if (spec.paused) {
      if (deploymentCondition(working, "Progressing")?.reason !== REASON.paused) {
        setDeploymentCondition(working, condition("Progressing", "Unknown", REASON.paused, "Deployment is paused", nowText));
      }
      // A paused deployment still scales: only the template change waits.
      if (newRS && replicasOf(newRS) !== replicas && oldRSs().every((r) => replicasOf(r) === 0)) newRS = scale(d, newRS, replicas);
      return finish();
    }
    if (deploymentCondition(working, "Progressing")?.reason === REASON.paused) {
      setDeploymentCondition(working, condition("Progressing", "Unknown", REASON.resumed, "Deployment is resumed", nowText));
    }

    const recreate = spec.strategy?.type === "Recreate";
    if (recreate) {
      const active = oldRSs().filter((r) => replicasOf(r) > 0);
      if (active.length) {
        for (const rs of active) replaceOwned(rs, scale(d, rs, 0));
        return finish();
      }
      if (oldPodsRemain(oldRSs())) return finish();
    }

    if (!newRS) {
      const initial = newReplicaSetReplicas(spec, undefined, oldRSs().map(view));
      newRS = createNewReplicaSet(d, owned, initial, working, nowText);
      if (!newRS) return finish();
      owned.push(newRS);
      return finish();
    }
    newRS = syncNewReplicaSet(d, newRS, oldRSs(), working, nowText);

    const target = newReplicaSetReplicas(spec, view(newRS), oldRSs().map(view));
    if (target !== replicasOf(newRS)) {
      newRS = scale(d, newRS, target);
      return finish();
    }
    if (!recreate) {
      const changes = scaleDownOld(spec, view(newRS), oldRSs().map(view));
      if (changes.size) {
        for (const rs of oldRSs()) {
          const n = changes.get(rs.metadata.name);
          if (n !== undefined) replaceOwned(rs, scale(d, rs, n));
        }
        return finish();
      }
    }
    if (isComplete(d, working)) pruneHistory(d, newRS, oldRSs());
    return finish();

    function replaceOwned(before: ReplicaSet, after: ReplicaSet): void {
      const i = owned.indexOf(before);
      if (i >= 0) owned[i] = after;
    }
  }

  function oldPodsRemain(old: ReplicaSet[]): boolean {
    if (old.length === 0) return false;
    const uids = new Set(old.map((r) => r.metadata.uid));
    const namespace = old[0]?.metadata.namespace;
    return store
      .list("pods", { namespace })
      .items.some((p) => uids.has(controllerOf(p)?.uid ?? "") && (isPodActive(typed<Pod>(p)) || Boolean(p.metadata.deletionTimestamp)));
  }

  /** Sets a ReplicaSet's replicas (and the replica annotations), with the ScalingReplicaSet event. */
  function scale(d: Deployment, rs: ReplicaSet, to: number): ReplicaSet {
    const from = replicasOf(rs);
    const replicas = d.spec?.replicas ?? 1;
    const max = replicas + fenceposts(d.spec ?? {}).surge;
    const written = store.mutate(REPLICASETS, rs.metadata.namespace, rs.metadata.name, (o) => {
      o.spec = { ...(o.spec ?? {}), replicas: to };
      o.metadata.annotations = {
        ...(o.metadata.annotations ?? {}),
        [DEPLOYMENT_ANNOTATIONS.desiredReplicas]: String(replicas),
        [DEPLOYMENT_ANNOTATIONS.maxReplicas]: String(max),
      };
    });
    if (!written.ok) return rs;
    if (from !== to) {
      recorder.record(d, SOURCE, "Normal", "ScalingReplicaSet", `Scaled ${to > from ? "up" : "down"} replica set ${rs.metadata.name} from ${from} to ${to}`);
    }
    return typed<ReplicaSet>(written.value);
  }

  function createNewReplicaSet(d: Deployment, owned: ReplicaSet[], count: number, working: DeploymentStatus, nowText: string): ReplicaSet | undefined {
    const spec = d.spec ?? {};
    const namespace = d.metadata.namespace;
    const revision = Math.max(0, ...owned.map(revisionOf)) + 1;
    const replicas = spec.replicas ?? 1;
    let collisions = working.collisionCount ?? 0;
    for (let attempt = 0; attempt < 5; attempt++) {
      const hash = templateHash(spec.template, collisions);
      const template = structuredClone(spec.template ?? {});
      template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash } };
      const rsName = `${d.metadata.name}-${hash}`;
      const created = store.create(REPLICASETS, {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
          name: rsName,
          namespace,
          labels: { ...(template.metadata.labels ?? {}) },
          annotations: {
            ...copiedAnnotations(d),
            [DEPLOYMENT_ANNOTATIONS.desiredReplicas]: String(replicas),
            [DEPLOYMENT_ANNOTATIONS.maxReplicas]: String(replicas + fenceposts(spec).surge),
            [DEPLOYMENT_ANNOTATIONS.revision]: String(revision),
          },
          ownerReferences: [controllerRef(d)],
        },
        spec: {
          replicas: count,
          minReadySeconds: spec.minReadySeconds ?? 0,
          selector: {
            ...(spec.selector ?? {}),
            matchLabels: { ...(spec.selector?.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash },
          },
          template,
        },
        status: { replicas: 0 },
      });
      if (!created.ok) {
        if (created.error.code !== "already_exists") {
          ctx.log.warn({ cluster: ctx.cluster, deployment: keyOf(d), error: created.error.message }, "replica set not created");
          return undefined;
        }
        const existing = store.get(REPLICASETS, namespace, rsName);
        if (existing && controllerOf(existing)?.uid === d.metadata.uid && sameTemplate(typed<ReplicaSet>(existing).spec?.template, spec.template)) {
          return typed<ReplicaSet>(existing);
        }
        // Another template hashed to the same name: count the collision and hash again.
        collisions += 1;
        working.collisionCount = collisions;
        continue;
      }
      const rs = typed<ReplicaSet>(created.value);
      if (count > 0) recorder.record(d, SOURCE, "Normal", "ScalingReplicaSet", `Scaled up replica set ${rsName} from 0 to ${count}`);
      setDeploymentCondition(working, condition("Progressing", "True", REASON.newRSCreated, `Created new replica set "${rsName}"`, nowText));
      setDeploymentRevision(d, revision);
      return rs;
    }
    return undefined;
  }

  /**
   * Brings the current template's ReplicaSet's annotations up to date; a ReplicaSet brought back
   * by a rollback takes the next revision and remembers its old one in revision-history.
   */
  function syncNewReplicaSet(d: Deployment, rs: ReplicaSet, old: ReplicaSet[], working: DeploymentStatus, nowText: string): ReplicaSet {
    const newRevision = Math.max(0, ...old.map(revisionOf)) + 1;
    const current = revisionOf(rs);
    const annotations = { ...(rs.metadata.annotations ?? {}), ...copiedAnnotations(d) };
    if (current < newRevision) {
      annotations[DEPLOYMENT_ANNOTATIONS.revision] = String(newRevision);
      if (rs.metadata.annotations?.[DEPLOYMENT_ANNOTATIONS.revision] !== undefined) {
        const history = annotations[DEPLOYMENT_ANNOTATIONS.revisionHistory];
        annotations[DEPLOYMENT_ANNOTATIONS.revisionHistory] = history ? `${history},${current}` : String(current);
      }
    }
    let result = rs;
    const minReady = d.spec?.minReadySeconds ?? 0;
    const changed = JSON.stringify(annotations) !== JSON.stringify(rs.metadata.annotations ?? {}) || (rs.spec?.minReadySeconds ?? 0) !== minReady;
    if (changed) {
      const written = store.mutate(REPLICASETS, rs.metadata.namespace, rs.metadata.name, (o) => {
        o.metadata.annotations = annotations;
        o.spec = { ...(o.spec ?? {}), minReadySeconds: minReady };
      });
      if (written.ok) result = typed<ReplicaSet>(written.value);
    }
    if (!deploymentCondition(working, "Progressing")) {
      setDeploymentCondition(working, condition("Progressing", "True", REASON.foundNewRS, `Found new replica set "${rs.metadata.name}"`, nowText));
    }
    setDeploymentRevision(d, revisionOf(result));
    return result;
  }

  function setDeploymentRevision(d: Deployment, revision: number): void {
    if (d.metadata.annotations?.[DEPLOYMENT_ANNOTATIONS.revision] === String(revision)) return;
    store.mutate(DEPLOYMENTS, d.metadata.namespace, d.metadata.name, (o) => {
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [DEPLOYMENT_ANNOTATIONS.revision]: String(revision) };
    });
  }

  /** Deletes the oldest scaled-down ReplicaSets beyond revisionHistoryLimit. */
  function pruneHistory(d: Deployment, newRS: ReplicaSet, old: ReplicaSet[]): void {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const cleanable = old
      .filter((rs) => rs.metadata.name !== newRS.metadata.name && !rs.metadata.deletionTimestamp && replicasOf(rs) === 0 && (rs.status?.replicas ?? 0) === 0)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of cleanable.slice(0, Math.max(0, cleanable.length - limit))) {
      store.delete(REPLICASETS, rs.metadata.namespace, rs.metadata.name);
    }
  }

  return {
    stop() {
      for (const u of unwatch) u();
      queue.stop();
    },
  };
}

function copiedAnnotations(d: Deployment): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!NOT_COPIED.has(k)) out[k] = v;
  return out;
}
