import { randomUUID } from "node:crypto";
import { createLogger } from "@autodevops/shared";
import { MutationLog } from "../api/mutation-log.js";
import type { SimCluster } from "../cluster.js";
import { createDefaultBehaviour, NodeHealthBoard, startControllers } from "../controllers/index.js";
import type { ContainerStatus, Pod } from "../controllers/kube-shapes.js";
import { nameSuffix } from "../controllers/pod-creation.js";
import { waitFor } from "../controllers/test-cluster.js";
import { applyEstate } from "../estate/apply-estate.js";
import { buildEstate } from "../estate/build-estate.js";
import { ContainerLogs } from "../runtime/container-logs.js";
import { ClusterStore } from "../store/cluster-store.js";
import { startApiFixture } from "../testing/api-fixture.js";
import { parseExposition, samples } from "../testing/exposition-parser.js";
import { serviceStates, takeSnapshot } from "../telemetry/cluster-snapshot.js";
import { SandboxTelemetry } from "../telemetry/index.js";
import { TraceRing, type Span, type Trace } from "../tempo/trace-generator.js";
import { FaultRegistry } from "./fault-registry.js";
import { livePods } from "./workload-state.js";

/**
 * The prod estate on a real store with running controllers whose containers consult a fault
 * registry, and an API server in front of it, so that the fixes a test makes with kubectl land
 * in the mutation log under the user who made them (`admin`, or Scarlet's service account).
 */
export async function startFaultCluster() {
  const log = createLogger({ service: "sandbox-faults-test", level: "silent" });
  const store = new ClusterStore({ now: () => new Date(), newUid: randomUUID, randomSuffix: () => nameSuffix(Math.random) });
  const cluster: SimCluster = { name: "prod", store, logs: new ContainerLogs() };
  const mutations = new MutationLog();
  const registry = new FaultRegistry({ mutations, now: () => new Date(), newId: () => randomUUID().slice(0, 8), log });
  const nodeHealth = new NodeHealthBoard();
  const controllers = startControllers({ cluster, log, behaviour: registry.behaviour(createDefaultBehaviour({ random: Math.random })), nodeHealth });
  registry.addCluster({ name: "prod", store, nodeHealth });
  registry.start();
  // Telemetry and traces read the same store and the registry's modifiers, as in the sandbox.
  const telemetry = new SandboxTelemetry({ clusters: [cluster], now: () => new Date(), seed: 1 });
  telemetry.modifiers.addSource((c, service) => registry.modifierOf(c, service));
  const traces = new TraceRing({
    cluster: "prod",
    seed: 1,
    services: () => serviceStates(takeSnapshot(store)),
    modifierOf: (service) => telemetry.modifiers.modifierOf("prod", service),
  });

  const api = await startApiFixture({ cluster, mutations, defaultNamespace: "shop" });

  await applyEstate(store, buildEstate("prod", new Date()));
  await waitFor("every shop Deployment rolled out", () => store.list("apps/deployments", { namespace: "shop" }).items.every((d) => rolledOut(store, "shop", d.metadata.name)), 30_000);

  /** Runs kubectl as admin (default) or as Scarlet; resolves with its output. */
  const kubectl = (args: string[], as: "admin" | "scarlet" = "admin") =>
    api.kubectl(["--context", as === "admin" ? "prod" : "scarlet@prod", ...args]);

  return {
    store,
    logs: cluster.logs,
    mutations,
    registry,
    nodeHealth,
    controllers,
    kubectl,
    /** Injects a fault and returns its id; a refused request fails the test with its message. */
    inject: (request: Record<string, unknown>): string => {
      const r = registry.inject(request);
      if (!r.ok) throw new Error(r.error.message);
      return r.value.id;
    },
    /** The fault as the registry lists it now. */
    fault: (id: string) => registry.list().find((f) => f.id === id),
    /** The first container's status of each live pod of a workload. */
    statuses: (workload: string, namespace = "shop"): { pod: Pod; status: ContainerStatus | undefined }[] =>
      livePods(store, namespace, workload).map((pod) => ({ pod, status: pod.status?.containerStatuses?.[0] })),
    rolledOut: (name: string, namespace = "shop") => rolledOut(store, namespace, name),
    /** The traffic model's view of one service now (request rate, codes, latency, saturation). */
    traffic: (service: string) => telemetry.cluster("prod")?.traffic(new Date()).get(service),
    /** Scrapes `/metrics` now and returns the samples of `name` whose labels include `labels`. */
    metric: (name: string, labels: Record<string, string> = {}) => samples(parseExposition(telemetry.render("prod") ?? ""), name, labels),
    /** Share of the service's requests answered 5xx now, by the traffic model the metrics follow. */
    serverErrors: (service: string): number => {
      const t = telemetry.cluster("prod")?.traffic(new Date()).get(service);
      return t ? t.codes["500"] + t.codes["503"] + t.codes["504"] : 0;
    },
    /** Spans of the traces of the last `ms` milliseconds that `pick` chooses. */
    spans: (ms: number, pick: (s: Span) => boolean): Span[] => {
      const now = new Date();
      const out: Span[] = [];
      traces.scan(now.getTime() - ms, now.getTime(), now, (t) => {
        out.push(...t.spans.filter(pick));
        return true;
      });
      return out;
    },
    /** Traces that started in the last `ms` milliseconds (Tempo keeps whole 10 s buckets), newest first. */
    traces: (ms: number): Trace[] => {
      const now = new Date();
      const out: Trace[] = [];
      traces.scan(now.getTime() - ms, now.getTime(), now, (t) => out.push(t) > 0);
      return out;
    },
    close: async () => {
      registry.stop();
      controllers.stop();
      await api.close();
    },
  };
}
export type FaultTestCluster = Awaited<ReturnType<typeof startFaultCluster>>;

/** A Deployment whose every replica is updated and available, and no old pod is left. */
function rolledOut(store: ClusterStore, namespace: string, name: string): boolean {
  const d = store.get("apps/deployments", namespace, name);
  if (!d) return false;
  const want = Number(d.spec?.replicas ?? 1);
  const s = (d.status ?? {}) as Record<string, number | undefined>;
  return (
    s.observedGeneration === d.metadata.generation &&
    (s.updatedReplicas ?? 0) === want &&
    (s.availableReplicas ?? 0) === want &&
    (s.replicas ?? 0) === want &&
    livePods(store, namespace, name).length === want
  );
}
