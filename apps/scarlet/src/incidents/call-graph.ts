import { z } from "zod";

/**
 * The service call graph (callers -> callees) that root-cause localization walks. It is data:
 * `CallGraphConfig` is what a deployment supplies (a file or an env variable that `main.ts`
 * parses once), and `ESTATE_CALL_GRAPH` is the sandbox estate's graph of CONTRACTS.md section 1,
 * the default. Scarlet runs against real clusters too, so it does not import the sandbox.
 */

const Name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a DNS-1123 label");

export const CallGraphConfig = z.object({
  services: z.array(
    z.object({
      namespace: Name,
      name: Name,
      /** Callees: `name` (same namespace, or else the one service of that name), `namespace/name`, or an external's name. */
      calls: z.array(z.string().min(1)).default([]),
    }),
  ),
  /** Dependencies outside the cluster: they can be blamed but never be an incident's target. */
  external: z.array(Name).default([]),
});
export type CallGraphConfig = z.input<typeof CallGraphConfig>;

/** CONTRACTS.md section 1: the estate's services and whom each calls. */
export const ESTATE_CALL_GRAPH: CallGraphConfig = {
  services: [
    { namespace: "platform", name: "ingress-gateway", calls: ["shop/frontend"] },
    { namespace: "shop", name: "frontend", calls: ["checkout", "catalog"] },
    { namespace: "shop", name: "checkout", calls: ["payments", "cart"] },
    { namespace: "shop", name: "payments", calls: ["payment-gateway"] },
    { namespace: "shop", name: "cart", calls: ["redis-cart"] },
    { namespace: "shop", name: "catalog", calls: ["catalog-db"] },
    { namespace: "shop", name: "redis-cart", calls: [] },
    { namespace: "shop", name: "catalog-db", calls: [] },
    { namespace: "batch", name: "report-gen", calls: ["shop/catalog"] },
    { namespace: "kube-system", name: "coredns", calls: [] },
  ],
  external: ["payment-gateway"],
};

/** A service's key in the graph: `namespace/name`; an external dependency is keyed by its bare name. */
export const serviceKey = (namespace: string, name: string): string => `${namespace}/${name}`;

export interface CallGraph {
  /** Every in-cluster service key. */
  readonly services: ReadonlySet<string>;
  readonly external: ReadonlySet<string>;
  callees(key: string): readonly string[];
  callers(key: string): readonly string[];
  /** The in-cluster service of that name in a namespace, or the only one of that name anywhere. */
  resolve(name: string, namespace?: string): string | undefined;
}

/** Builds lookups from a config; a callee no service or external entry names is an error in the config. */
export function buildCallGraph(input: CallGraphConfig): CallGraph {
  const config = CallGraphConfig.parse(input);
  const services = new Set(config.services.map((s) => serviceKey(s.namespace, s.name)));
  const external = new Set(config.external);
  const byName = new Map<string, string[]>();
  for (const s of config.services) byName.set(s.name, [...(byName.get(s.name) ?? []), serviceKey(s.namespace, s.name)]);

  const resolve = (name: string, namespace?: string): string | undefined => {
    if (name.includes("/")) return services.has(name) ? name : undefined;
    if (namespace !== undefined && services.has(serviceKey(namespace, name))) return serviceKey(namespace, name);
    const found = byName.get(name) ?? [];
    return found.length === 1 ? found[0] : undefined;
  };

  const callees = new Map<string, string[]>();
  const callers = new Map<string, string[]>();
  for (const s of config.services) {
    const from = serviceKey(s.namespace, s.name);
    for (const c of s.calls) {
      const to = external.has(c) ? c : resolve(c, s.namespace);
      if (to === undefined) throw new Error(`call graph: ${from} calls ${c}, which is neither a service nor an external dependency`);
      callees.set(from, [...(callees.get(from) ?? []), to]);
      callers.set(to, [...(callers.get(to) ?? []), from]);
    }
  }
  return {
    services,
    external,
    callees: (key) => callees.get(key) ?? [],
    callers: (key) => callers.get(key) ?? [],
    resolve,
  };
}

/** The graph from workload specs shaped as the sandbox's estate (`{name, namespace, calls}`), names resolved as above. */
export function callGraphFromWorkloads(
  workloads: ReadonlyArray<{ name: string; namespace: string; calls: readonly string[] }>,
  external: readonly string[],
): CallGraphConfig {
  return { services: workloads.map((w) => ({ namespace: w.namespace, name: w.name, calls: [...w.calls] })), external: [...external] };
}
