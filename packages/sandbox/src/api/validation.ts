import type { ResourceType } from "../store/resources.js";
import { labelSelectorFromSpec, matchesLabels } from "../store/selectors.js";
import type { KubeObjectInput } from "../store/types.js";

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface FieldProblem {
  field: string;
  message: string;
}

type Any = Record<string, unknown>;

/** The checks the real API server makes that clients meet most often; returns every problem found. */
export function validateObject(type: ResourceType, obj: KubeObjectInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const name = obj.metadata?.name;
  if (name !== undefined) {
    const re = type.kind === "Namespace" || type.kind === "Service" ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
    if (!re.test(name) || name.length > 253) {
      problems.push({
        field: "metadata.name",
        message: `Invalid value: "${name}": a lowercase RFC 1123 ${re === DNS1123_LABEL ? "label" : "subdomain"} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      });
    }
  }
  for (const [field, map] of [["metadata.labels", obj.metadata?.labels], ["metadata.annotations", obj.metadata?.annotations]] as const) {
    if (map !== undefined && (typeof map !== "object" || map === null || Object.values(map).some((v) => typeof v !== "string"))) {
      problems.push({ field, message: "Invalid value: values must be strings" });
    }
  }
  const podSpec =
    type.kind === "Pod" ? (obj.spec as Any | undefined) : ((obj.spec as Any | undefined)?.template as Any | undefined)?.spec as Any | undefined;
  const prefix = type.kind === "Pod" ? "spec" : "spec.template.spec";
  if (["Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"].includes(type.kind)) {
    const containers = podSpec?.containers;
    if (!Array.isArray(containers) || containers.length === 0) {
      problems.push({ field: `${prefix}.containers`, message: "Required value" });
    } else {
      containers.forEach((c: Any, i: number) => {
        if (typeof c?.name !== "string" || !DNS1123_LABEL.test(c.name)) problems.push({ field: `${prefix}.containers[${i}].name`, message: "Required value" });
        if (typeof c?.image !== "string" || c.image === "") problems.push({ field: `${prefix}.containers[${i}].image`, message: "Required value" });
      });
    }
  }
  if (["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"].includes(type.kind)) {
    const spec = (obj.spec ?? {}) as Any;
    const selector = spec.selector as Any | undefined;
    const labels = ((spec.template as Any | undefined)?.metadata as Any | undefined)?.labels as Record<string, string> | undefined;
    if (!selector) problems.push({ field: "spec.selector", message: "Required value" });
    else if (!matchesLabels(labelSelectorFromSpec(selector), labels)) {
      problems.push({ field: "spec.template.metadata.labels", message: `Invalid value: ${JSON.stringify(labels ?? {})}: \`selector\` does not match template \`labels\`` });
    }
    if (spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || (spec.replicas as number) < 0)) {
      problems.push({ field: "spec.replicas", message: `Invalid value: ${JSON.stringify(spec.replicas)}: must be greater than or equal to 0` });
    }
  }
  return problems;
}
