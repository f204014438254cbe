import { createHash } from "node:crypto";
import type { KubeObjectInput } from "../store/types.js";

type Any = Record<string, unknown>;

/** Fills what the real API server defaults on create, so that stored objects read like a real cluster's. */
export function applyDefaults(obj: KubeObjectInput): KubeObjectInput {
  const o = structuredClone(obj);
  const spec = (o.spec ?? {}) as Any;
  switch (o.kind) {
    case "Deployment":
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      spec.strategy ??= { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } };
      defaultPodSpec(((spec.template ??= {}) as Any).spec as Any | undefined);
      o.spec = spec;
      break;
    case "StatefulSet":
    case "ReplicaSet":
    case "DaemonSet":
      if (o.kind !== "DaemonSet") spec.replicas ??= 1;
      defaultPodSpec(((spec.template ??= {}) as Any).spec as Any | undefined);
      o.spec = spec;
      break;
    case "Pod":
      defaultPodSpec(spec);
      o.spec = spec;
      o.status ??= { phase: "Pending", qosClass: "BestEffort" };
      break;
    case "Service":
      spec.type ??= "ClusterIP";
      if (spec.clusterIP === undefined && spec.type !== "ExternalName") spec.clusterIP = clusterIpFor(`${o.metadata.namespace}/${o.metadata.name}`);
      spec.sessionAffinity ??= "None";
      for (const p of (spec.ports ?? []) as Any[]) {
        p.protocol ??= "TCP";
        p.targetPort ??= p.port;
      }
      o.spec = spec;
      break;
    case "Namespace":
      o.status ??= { phase: "Active" };
      o.metadata.labels = { ...(o.metadata.labels ?? {}), "kubernetes.io/metadata.name": String(o.metadata.name ?? "") };
      break;
    case "PersistentVolumeClaim":
      o.status ??= { phase: "Pending" };
      break;
  }
  return o;
}

function defaultPodSpec(spec: Any | undefined): void {
  if (!spec) return;
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  spec.securityContext ??= {};
  for (const c of (spec.containers ?? []) as Any[]) {
    c.imagePullPolicy ??= String(c.image ?? "").endsWith(":latest") ? "Always" : "IfNotPresent";
    c.terminationMessagePath ??= "/dev/termination-log";
    c.terminationMessagePolicy ??= "File";
    c.resources ??= {};
  }
}

/** A stable address in 10.96.0.0/16 for a Service, derived from its name. */
function clusterIpFor(key: string): string {
  const h = createHash("sha256").update(key).digest();
  return `10.96.${h[0] ?? 0}.${((h[1] ?? 0) % 253) + 2}`;
}
