import * as k8s from "@kubernetes/client-node";
import { ToolError } from "../core/tool-error.js";

/** One cluster as the tools reach it: its kubeconfig context and an API client per group. */
export type ClusterClients = {
  name: string;
  context: string;
  server: string;
  user: string;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  objects: k8s.KubernetesObjectApi;
  custom: k8s.CustomObjectsApi;
};

/** The clusters a server talks to, by name; an unknown name is a ToolError listing the known ones. */
export class ClusterSet {
  readonly #byName: Map<string, ClusterClients>;

  constructor(clusters: readonly ClusterClients[]) {
    this.#byName = new Map(clusters.map((c) => [c.name, c]));
  }

  get names(): string[] {
    return [...this.#byName.keys()];
  }

  list(): ClusterClients[] {
    return [...this.#byName.values()];
  }

  get(name: string): ClusterClients {
    const c = this.#byName.get(name);
    if (!c) throw new ToolError(`unknown cluster "${name}": use one of ${this.names.join(", ") || "(none configured)"} (list_clusters)`);
    return c;
  }
}

/**
 * One KubeConfig per cluster, each set to its own context. `contexts` maps cluster names to
 * contexts; without it every cluster of the kubeconfig is served under its own name, through
 * the context that uses the current context's user (else the first context naming it).
 */
export function clustersFromKubeconfig(kc: k8s.KubeConfig, contexts?: Record<string, string>): ClusterSet {
  const chosen = contexts ?? defaultContexts(kc);
  const out: ClusterClients[] = [];
  for (const [name, contextName] of Object.entries(chosen)) {
    const context = kc.getContextObject(contextName);
    if (!context) throw new Error(`MCP_K8S_CONTEXTS: cluster "${name}" names context "${contextName}", which the kubeconfig does not have (it has ${kc.getContexts().map((c) => c.name).join(", ")})`);
    const one = new k8s.KubeConfig();
    one.loadFromOptions({ clusters: kc.clusters, users: kc.users, contexts: kc.contexts, currentContext: contextName });
    out.push({
      name,
      context: contextName,
      server: one.getCurrentCluster()?.server ?? "",
      user: context.user,
      core: one.makeApiClient(k8s.CoreV1Api),
      apps: one.makeApiClient(k8s.AppsV1Api),
      objects: k8s.KubernetesObjectApi.makeApiClient(one),
      custom: one.makeApiClient(k8s.CustomObjectsApi),
    });
  }
  if (out.length === 0) throw new Error("the kubeconfig names no contexts: nothing to serve");
  return new ClusterSet(out);
}

function defaultContexts(kc: k8s.KubeConfig): Record<string, string> {
  const currentUser = kc.getContextObject(kc.getCurrentContext())?.user;
  const out: Record<string, string> = {};
  for (const c of kc.getContexts()) {
    const taken = out[c.cluster];
    if (taken === undefined || (c.user === currentUser && kc.getContextObject(taken)?.user !== currentUser)) out[c.cluster] = c.name;
  }
  return out;
}
