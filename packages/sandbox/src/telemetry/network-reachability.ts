import { labelSelectorFromSpec, matchesLabels } from "../store/selectors.js";
import type { KubeObject } from "../store/types.js";

/** A service as NetworkPolicies see it: the labels of its pods, in its namespace. */
export interface PolicySubject {
  name: string;
  namespace: string;
  podLabels: Readonly<Record<string, string>>;
  calls: readonly string[];
}

type Peer = { podSelector?: unknown; namespaceSelector?: unknown; ipBlock?: unknown };
type PolicySpec = { podSelector?: unknown; policyTypes?: string[]; ingress?: Array<{ from?: Peer[] }>; egress?: unknown };

/** Ingress is restricted when policyTypes names it, or when it is left out (the API's default is Ingress). */
function restrictsIngress(spec: PolicySpec): boolean {
  return spec.policyTypes === undefined ? true : spec.policyTypes.includes("Ingress");
}

function peerAdmits(peer: Peer, policyNamespace: string, caller: PolicySubject, namespaceLabels: (ns: string) => Record<string, string>): boolean {
  // Pod addresses are not modelled as CIDRs: an ipBlock peer admits no in-cluster caller.
  if (peer.ipBlock !== undefined) return false;
  const inNamespace =
    peer.namespaceSelector === undefined ? caller.namespace === policyNamespace : matchesLabels(labelSelectorFromSpec(peer.namespaceSelector), namespaceLabels(caller.namespace));
  const podMatches = peer.podSelector === undefined || matchesLabels(labelSelectorFromSpec(peer.podSelector), caller.podLabels);
  return inNamespace && podMatches;
}

/**
 * For each service, the callers whose connections its NetworkPolicies drop, by the API's rules:
 * a pod no Ingress policy selects admits everything; one that some select admits what any of
 * them allows (an ingress rule without `from` allows all). Ports are not checked: the estate's
 * services each listen on one port.
 */
export function unreachableCallers(
  services: readonly PolicySubject[],
  policies: readonly KubeObject[],
  namespaces: readonly KubeObject[],
): Map<string, Set<string>> {
  const nsLabels = new Map(namespaces.map((n) => [n.metadata.name, { ...n.metadata.labels, "kubernetes.io/metadata.name": n.metadata.name }]));
  const namespaceLabels = (ns: string) => nsLabels.get(ns) ?? { "kubernetes.io/metadata.name": ns };
  const blocked = new Map<string, Set<string>>();
  for (const target of services) {
    const selecting = policies.filter((p) => {
      const spec = (p.spec ?? {}) as PolicySpec;
      return p.metadata.namespace === target.namespace && restrictsIngress(spec) && matchesLabels(labelSelectorFromSpec(spec.podSelector), target.podLabels);
    });
    if (selecting.length === 0) continue;
    for (const caller of services.filter((s) => s.calls.includes(target.name))) {
      const admitted = selecting.some((p) =>
        (((p.spec ?? {}) as PolicySpec).ingress ?? []).some((rule) => rule.from === undefined || rule.from.length === 0 || rule.from.some((peer) => peerAdmits(peer, target.namespace, caller, namespaceLabels))),
      );
      if (!admitted) blocked.set(target.name, (blocked.get(target.name) ?? new Set()).add(caller.name));
    }
  }
  return blocked;
}
