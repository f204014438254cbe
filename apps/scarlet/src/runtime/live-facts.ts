import type { Action } from "@autodevops/shared";
import type { LiveFacts } from "../graph/deps.js";
import type { CallGraph } from "../incidents/call-graph.js";
import type { WorkloadFacts } from "../playbooks/types.js";
import { annotationsOf, playbookContext, targetFactsOf, workloadHealth, workloadUid, type ClusterView } from "../monitor/cluster-facts.js";
import { workloadOfPod, type Observation } from "../detectors/observations.js";

type Memory = Extract<Observation, { type: "memory" }>;
type Metric = Extract<Observation, { type: "metric" }>;
type Load = NonNullable<WorkloadFacts["load"]>;

/** The call graph as the playbooks read it: `namespace/name` → in-cluster callees. */
function callsOf(graph: CallGraph): Record<string, string[]> {
  return Object.fromEntries([...graph.services].map((s) => [s, graph.callees(s).filter((c) => graph.services.has(c))]));
}

const isReady = (p: { status?: { conditions?: { type: string; status: string }[] } }) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

/** The live facts the graph reads, from the watches' caches and the latest memory readings. */
export class WatchFacts implements LiveFacts {
  readonly #views: ReadonlyMap<string, ClusterView>;
  readonly #calls: Record<string, string[]>;
  /** Latest working set per `cluster/namespace/pod`, and the highest seen per workload. */
  readonly #memory = new Map<string, Memory>();
  readonly #peaks = new Map<string, number>();
  /** Latest load per `cluster/namespace/workload`, with the rate and CPU of the last calm moment. */
  readonly #load = new Map<string, Load>();

  constructor(views: ReadonlyMap<string, ClusterView>, graph: CallGraph) {
    this.#views = views;
    this.#calls = callsOf(graph);
  }

  /** Keeps the memory readings the playbooks size limits and find memory hogs with. */
  noteMemory(o: Memory): void {
    this.#memory.set(`${o.cluster}/${o.namespace}/${o.pod}`, o);
    const key = `${o.cluster}/${o.namespace}/${o.workload}`;
    this.#peaks.set(key, Math.max(this.#peaks.get(key) ?? 0, o.workingSetBytes));
  }

  /**
   * Keeps the load readings a scale-up is sized with. `spike` is the request rate's verdict
   * against its baseline: while it is calm, the rate and the CPU it costs are the reference the
   * demand under a spike is measured from (CPU throttled at the limit no longer shows it).
   */
  noteLoad(o: Metric, spike: boolean): void {
    const key = `${o.cluster}/${o.namespace}/${o.workload}`;
    const l: Load = { ...this.#load.get(key) };
    if (o.check === "cpu-saturation") l.cpuRatio = o.value;
    else if (o.check === "cpu-throttling") l.throttledShare = o.value;
    else if (o.check === "request-rate") {
      l.requestRate = o.value;
      if (!spike && o.value > 0 && l.cpuRatio !== undefined) {
        l.baselineRequestRate = o.value;
        l.baselineCpuRatio = l.cpuRatio;
      }
    } else return;
    this.#load.set(key, l);
  }

  playbookContext(cluster: string, now: Date) {
    const view = this.#views.get(cluster);
    if (!view) return { cluster, now, calls: this.#calls };
    const ctx = playbookContext(view, now, { calls: this.#calls });
    return {
      ...ctx,
      workloads: ctx.workloads?.map((w) => {
        const peak = this.#peaks.get(`${cluster}/${w.namespace}/${w.name}`);
        const load = this.#load.get(`${cluster}/${w.namespace}/${w.name}`);
        return { ...w, ...(peak ? { memoryPeakBytes: Math.max(w.memoryPeakBytes ?? 0, peak) } : {}), ...(load ? { load } : {}) };
      }),
      nodes: ctx.nodes?.map((n) => ({
        ...n,
        pods: n.pods.map((p) => {
          const m = this.#memory.get(`${cluster}/${p.namespace}/${p.name}`);
          return m ? { ...p, workingSetBytes: m.workingSetBytes } : p;
        }),
      })),
    };
  }

  targetFacts(action: Action) {
    const view = this.#views.get(action.cluster);
    return view ? targetFactsOf(view, action) : undefined;
  }

  annotations(cluster: string, namespace: string, target: { workload?: string; node?: string }) {
    const view = this.#views.get(cluster);
    if (!view) return { namespace: {}, target: {} };
    return annotationsOf(view, namespace, target.node !== undefined ? { node: target.node } : target.workload);
  }

  health(cluster: string, namespace: string, workload: string) {
    const view = this.#views.get(cluster);
    return view ? workloadHealth(view, namespace, workload) : undefined;
  }

  uidOf(cluster: string, namespace: string, workload: string): string | undefined {
    const view = this.#views.get(cluster);
    return view ? workloadUid(view, namespace, workload) : undefined;
  }

  notReadyNodeOf(cluster: string, namespace: string, pods: readonly string[]): string | undefined {
    const view = this.#views.get(cluster);
    if (!view) return undefined;
    const nodes = new Set(view.pods(namespace).filter((p) => pods.includes(p.metadata.name)).map((p) => p.spec?.nodeName));
    const [only] = [...nodes];
    if (nodes.size !== 1 || only === undefined) return undefined;
    const n = view.nodes().find((x) => x.metadata.name === only);
    const ready = n?.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
    return n && !ready ? only : undefined;
  }

  nodeHealth(cluster: string, node: string) {
    const view = this.#views.get(cluster);
    const n = view?.nodes().find((x) => x.metadata.name === node);
    if (!view || !n) return undefined;
    const readyPods = view.pods().filter((p) => p.spec?.nodeName === node && isReady(p) && workloadOfPod(p)?.kind === "Deployment" && !p.metadata.deletionTimestamp).length;
    return { cordoned: n.spec?.unschedulable === true, readyPods };
  }
}
