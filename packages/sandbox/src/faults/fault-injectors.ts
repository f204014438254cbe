import { err, ok, type Result } from "@autodevops/shared";
import type { Mutation, MutationLog } from "../api/mutation-log.js";
import { imageRepository, imageTag } from "../controllers/image-ref.js";
import type { Container } from "../controllers/kube-shapes.js";
import type { NodeHealthBoard } from "../controllers/node-health.js";
import { bytes } from "../controllers/quantity.js";
import { CHANGE_CAUSE } from "../estate/workload-objects.js";
import type { ClusterStore } from "../store/cluster-store.js";
import type { KubeObject } from "../store/types.js";
import { FAULT_PARAMS, type SimulatedKind } from "./fault-kinds.js";
import type { ActiveFault, FaultState } from "./fault-model.js";
import { containersOf, findWorkload, livePods, templateOf, type WorkloadRef } from "./workload-state.js";

/** What a fault acts on in one cluster. */
export type FaultCluster = { name: string; store: ClusterStore; nodeHealth: NodeHealthBoard };

export type InjectContext = { cluster: FaultCluster; mutations: Pick<MutationLog, "record">; now: Date };

export type InjectError = { code: "unknown_target" | "bad_params"; message: string };

export type Injected = { state: FaultState; own: Mutation[]; badImage?: string };

type Json = Record<string, unknown>;
const DEFAULT_BY = "ci-bot";

const unknownTarget = (message: string): Result<never, InjectError> => err({ code: "unknown_target", message });
const badParams = (message: string): Result<never, InjectError> => err({ code: "bad_params", message });

/** 1.4.2 → 1.4.3: the next patch release, as CI would tag it. */
function nextTag(tag: string): string {
  const m = /^(v?)(\d+)\.(\d+)\.(\d+)$/.exec(tag);
  return m ? `${m[1]}${m[2]}.${m[3]}.${Number(m[4]) + 1}` : `${tag}-next`;
}

/**
 * Applies a kind's change to the cluster (through the store, as the controllers see any client's
 * change) and captures what its effects, cure check and undo need. Changes that stand for
 * someone's API call (a deploy, a scale, a ConfigMap edit) are recorded in the mutation log as
 * `params.by`, so the log stays the ground truth of who changed what.
 */
export function injectKind(kind: SimulatedKind, namespace: string, target: string, rawParams: Json, ctx: InjectContext): Result<Injected, InjectError> {
  const { store } = ctx.cluster;
  if (kind === "node-not-ready") {
    const p = FAULT_PARAMS[kind].safeParse(rawParams);
    if (!p.success) return badParams(`bad params for ${kind}: ${p.error.issues.map((i) => `${i.path.join(".") || "params"}: ${i.message}`).join("; ")}`);
    if (!store.get("nodes", undefined, target)) return unknownTarget(`no node "${target}" in cluster ${ctx.cluster.name}`);
    ctx.cluster.nodeHealth.setHealth(target, p.data.mode);
    return ok({ state: { kind, node: target }, own: [] });
  }
  const found = findWorkload(store, namespace, target);
  if (!found) return unknownTarget(`no Deployment or StatefulSet "${target}" in namespace "${namespace}" of cluster ${ctx.cluster.name}`);
  const { ref, object } = found;
  const record = (by: string | undefined, m: Omit<Mutation, "at" | "cluster" | "user" | "namespace">): Mutation => {
    const entry: Mutation = { at: ctx.now.toISOString(), cluster: ctx.cluster.name, namespace, user: by ?? DEFAULT_BY, ...m };
    ctx.mutations.record(entry);
    return entry;
  };
  const issues = (e: { issues: { path: PropertyKey[]; message: string }[] }) =>
    badParams(`bad params for ${kind}: ${e.issues.map((i) => `${i.path.map(String).join(".") || "params"}: ${i.message}`).join("; ")}`);
  const first = containersOf(templateOf(object))[0];
  if (!first) return unknownTarget(`${namespace}/${target} has no containers`);

  switch (kind) {
    case "crashloop":
    case "dependency-down": {
      const p = FAULT_PARAMS[kind].safeParse(rawParams);
      if (!p.success) return issues(p.error);
      const pods = livePods(store, namespace, target);
      if (pods.length === 0) return unknownTarget(`${namespace}/${target} has no running pods to crash`);
      return ok({ state: { kind, podUids: pods.map((x) => x.metadata.uid), podNames: pods.map((x) => x.metadata.name) }, own: [] });
    }
    case "oom": {
      const p = FAULT_PARAMS[kind].safeParse(rawParams);
      if (!p.success) return issues(p.error);
      const limit = first.resources?.limits?.memory;
      if (p.data.workingSetMi === undefined && limit === undefined) return badParams(`${namespace}/${target} has no memory limit: give params.workingSetMi`);
      const workingSetBytes = p.data.workingSetMi !== undefined ? p.data.workingSetMi * 2 ** 20 : Math.round(1.2 * bytes(limit));
      return ok({ state: { kind, workingSetBytes }, own: [] });
    }
    case "image-pull":
    case "bad-rollout":
    case "probe-failure": {
      const p = FAULT_PARAMS[kind].safeParse(rawParams);
      if (!p.success) return issues(p.error);
      if (ref.resource !== "apps/deployments") return unknownTarget(`${kind} needs a Deployment; ${namespace}/${target} is a StatefulSet`);
      // The 5xx of mode "errors" show only in metrics and traces, which the telemetry model owns.
      if ("mode" in p.data && p.data.mode === "errors") return badParams(`bad params for bad-rollout: mode "errors" is not simulated yet; use "crash"`);
      const previousTemplate = templateOf(object);
      const previousChangeCause = object.metadata.annotations?.[CHANGE_CAUSE];
      const image = first.image ?? "";
      const tag = "tag" in p.data && p.data.tag !== undefined ? p.data.tag : kind === "image-pull" ? `${nextTag(imageTag(image))}-rc.1` : nextTag(imageTag(image));
      const newImage = `${imageRepository(image)}:${tag}`;
      let badPath: string | undefined;
      if (kind === "probe-failure") {
        if (!first.readinessProbe?.httpGet) return unknownTarget(`probe-failure needs an HTTP readiness probe; ${namespace}/${target} has none`);
        badPath = "path" in p.data && p.data.path !== undefined ? p.data.path : "/health/ready";
      }
      const cause = kind === "probe-failure" ? `deploy readiness path ${badPath}` : `deploy ${tag}`;
      const written = store.mutate(ref.resource, namespace, target, (d) => {
        const c = containersOf((d.spec?.template ?? {}) as Json)[0];
        if (!c) return false;
        if (kind === "probe-failure") c.readinessProbe = { ...c.readinessProbe, httpGet: { ...c.readinessProbe?.httpGet, path: badPath } };
        else c.image = newImage;
        d.metadata.annotations = { ...d.metadata.annotations, [CHANGE_CAUSE]: cause };
      });
      if (!written.ok) return unknownTarget(written.error.message);
      const own = record(p.data.by, { verb: "patch", resource: "deployments", name: target, action: null });
      return ok({
        state: { kind, previousTemplate, previousChangeCause, ...(kind === "probe-failure" ? { badPath } : { badImage: newImage }) },
        own: [own],
        ...(kind === "image-pull" ? { badImage: newImage } : {}),
      });
    }
    case "scaled-to-zero": {
      const p = FAULT_PARAMS[kind].safeParse(rawParams);
      if (!p.success) return issues(p.error);
      const previousReplicas = Number(object.spec?.replicas ?? 1);
      if (previousReplicas === 0) return unknownTarget(`${namespace}/${target} is already at 0 replicas`);
      const written = store.mutate(ref.resource, namespace, target, (d) => {
        d.spec = { ...d.spec, replicas: 0 };
      });
      if (!written.ok) return unknownTarget(written.error.message);
      const own = record(p.data.by, { verb: "patch", resource: plural(ref), name: target, subresource: "scale", action: "scale" });
      return ok({ state: { kind, previousReplicas }, own: [own] });
    }
    case "config-error": {
      const p = FAULT_PARAMS[kind].safeParse(rawParams);
      if (!p.success) return issues(p.error);
      const refs = configMapRefs(containersOf(templateOf(object)));
      const chosen = p.data.key !== undefined ? refs.find((r) => r.key === p.data.key) : refs[0];
      if (!chosen) return badParams(p.data.key !== undefined ? `${namespace}/${target} reads no ConfigMap key "${p.data.key}"` : `${namespace}/${target} reads no ConfigMap key`);
      const cm = store.get("configmaps", namespace, chosen.name);
      const value = (cm?.data as Record<string, string> | undefined)?.[chosen.key];
      if (!cm || value === undefined) return unknownTarget(`ConfigMap ${namespace}/${chosen.name} has no key "${chosen.key}"`);
      const written = store.mutate("configmaps", namespace, chosen.name, (o) => {
        const data = { ...(o.data as Record<string, string>) };
        delete data[chosen.key];
        o.data = data;
      });
      if (!written.ok) return unknownTarget(written.error.message);
      const own = record(p.data.by, { verb: "patch", resource: "configmaps", name: chosen.name, action: null });
      return ok({ state: { kind, configMap: chosen.name, key: chosen.key, value }, own: [own] });
    }
    case "hung-replica": {
      const p = FAULT_PARAMS[kind].safeParse(rawParams);
      if (!p.success) return issues(p.error);
      const pods = livePods(store, namespace, target).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      const pod = p.data.pod !== undefined ? pods.find((x) => x.metadata.name === p.data.pod) : pods[0];
      if (!pod) return unknownTarget(p.data.pod !== undefined ? `no pod "${p.data.pod}" of ${namespace}/${target}` : `${namespace}/${target} has no running pods`);
      return ok({ state: { kind, podUid: pod.metadata.uid, podName: pod.metadata.name }, own: [] });
    }
  }
}

const plural = (ref: WorkloadRef) => (ref.resource === "apps/deployments" ? "deployments" : "statefulsets");

function configMapRefs(containers: Container[]): { name: string; key: string }[] {
  return containers.flatMap((c) =>
    (c.env ?? []).flatMap((e) => {
      const r = e.valueFrom?.configMapKeyRef;
      return r?.name && r.optional !== true ? [{ name: r.name, key: r.key }] : [];
    }),
  );
}

/**
 * Takes back what an uncured fault changed, as clearing it from the control API promises. A
 * cured fault's changes were already put right by whoever cured it; node health is the
 * exception, since a cordoned and drained node is still broken until the sandbox lets it go.
 */
export function undoFault(f: ActiveFault, cluster: FaultCluster): void {
  const s = f.state;
  const { store } = cluster;
  switch (s.kind) {
    case "node-not-ready":
      cluster.nodeHealth.setHealth(s.node, "Ready");
      return;
    case "image-pull":
    case "bad-rollout":
    case "probe-failure":
      if (f.cured) return;
      store.mutate("apps/deployments", f.namespace, f.target, (d) => {
        d.spec = { ...d.spec, template: structuredClone(s.previousTemplate) };
        const annotations = { ...d.metadata.annotations };
        if (s.previousChangeCause === undefined) delete annotations[CHANGE_CAUSE];
        else annotations[CHANGE_CAUSE] = s.previousChangeCause;
        d.metadata.annotations = annotations;
      });
      return;
    case "scaled-to-zero": {
      if (f.cured) return;
      const w = findWorkload(store, f.namespace, f.target);
      if (w) store.mutate(w.ref.resource, f.namespace, f.target, (d) => void (d.spec = { ...d.spec, replicas: s.previousReplicas }));
      return;
    }
    case "config-error":
      if (f.cured) return;
      store.mutate("configmaps", f.namespace, s.configMap, (o: KubeObject) => {
        o.data = { ...(o.data as Record<string, string>), [s.key]: s.value };
      });
      return;
    case "crashloop":
    case "dependency-down":
    case "oom":
    case "hung-replica":
      // Process-level faults live only in the behaviour: dropping the fault ends them.
      return;
  }
}
