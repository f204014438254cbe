import { err, ok, type Result } from "@autodevops/shared";
import type { ClusterStore } from "../store/cluster-store.js";
import type { KubeObjectInput, OwnerReference } from "../store/types.js";
import { typed, type Pod, type PodSpec, type PodTemplate } from "./kube-shapes.js";
import { qosClass } from "./quantity.js";
import { namespaceUsage, quotaRefusal, type Quota } from "./resource-quota.js";

const SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** The 5-character suffix the API server appends to a generateName. */
export function nameSuffix(random: () => number): string {
  let s = "";
  for (let i = 0; i < 5; i++) s += SUFFIX_ALPHABET[Math.floor(random() * SUFFIX_ALPHABET.length)] ?? "x";
  return s;
}

/** A pod as a workload controller makes it from its template (controller.GetPodFromTemplate). */
export function podFromTemplate(
  template: PodTemplate | undefined,
  owner: OwnerReference,
  namespace: string,
  naming: { name: string; generateName?: string },
  extraLabels: Record<string, string> = {},
): KubeObjectInput {
  const spec = structuredClone(template?.spec ?? {}) as PodSpec;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: naming.name,
      ...(naming.generateName ? { generateName: naming.generateName } : {}),
      namespace,
      labels: { ...(template?.metadata?.labels ?? {}), ...extraLabels },
      ...(template?.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [owner],
    },
    spec,
    status: { phase: "Pending", qosClass: qosClass(spec) },
  };
}

/**
 * The ResourceQuota admission a real API server applies to a pod create: the refusal message
 * (after `pods "x" is forbidden: `), or undefined when the namespace's quotas admit it. Usage is
 * read from the objects themselves, so it never lags the way a quota's status can.
 */
export function quotaRefusalFor(store: ClusterStore, namespace: string, spec: PodSpec | undefined): string | undefined {
  const quotas = store.list("resourcequotas", { namespace }).items as Quota[];
  if (quotas.length === 0) return undefined;
  const usage = namespaceUsage((resource) => store.list(resource, { namespace }).items);
  return quotaRefusal(quotas, usage, spec);
}

/**
 * Creates a controller's pod after the quota check. The error is the text a controller's
 * FailedCreate event quotes after "Error creating: ".
 */
export function createPod(store: ClusterStore, input: KubeObjectInput): Result<Pod, string> {
  const namespace = input.metadata.namespace ?? "";
  const refusal = quotaRefusalFor(store, namespace, input.spec as PodSpec | undefined);
  if (refusal) return err(`pods "${input.metadata.name ?? ""}" is forbidden: ${refusal}`);
  const created = store.create("pods", input);
  if (!created.ok) return err(created.error.message);
  return ok(typed<Pod>(created.value));
}
