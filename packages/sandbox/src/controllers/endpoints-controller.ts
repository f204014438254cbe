import { labelSelectorFromSpec } from "../store/selectors.js";
import type { KubeObject } from "../store/types.js";
import { keyOf, splitKey, watchResource, type ControllerContext, type Stoppable } from "./controller-context.js";
import { timestamp, typed, type Pod, type Service, type ServicePort } from "./kube-shapes.js";
import { isPodReady } from "./pod-state.js";
import { canonicalJson } from "./template-hash.js";
import { WorkQueue } from "./work-queue.js";

type Address = { ip: string; nodeName?: string; hostname?: string; targetRef: { kind: "Pod"; namespace: string; name: string; uid: string } };
type Port = { name?: string; port: number; protocol: string };
type Subset = { addresses?: Address[]; notReadyAddresses?: Address[]; ports: Port[] };

/** A service port's target on a pod: a number, or a named container port (undefined when the pod has none by that name). */
function targetPort(pod: Pod, p: ServicePort): number | undefined {
  const target = p.targetPort ?? p.port;
  if (typeof target === "number") return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec?.containers ?? []) {
    const found = c.ports?.find((cp) => cp.name === target);
    if (found) return found.containerPort;
  }
  return undefined;
}

/**
 * A Service's endpoints from its pods, as the endpoints controller computes them: pods with an
 * address and not being deleted, ready ones under `addresses` and the others under
 * `notReadyAddresses` (all ready with publishNotReadyAddresses), grouped by their resolved ports.
 */
export function endpointSubsets(svc: Service, pods: Pod[]): Subset[] {
  const groups = new Map<string, Subset>();
  const publishAll = svc.spec?.publishNotReadyAddresses === true;
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    if (!ip || pod.metadata.deletionTimestamp || pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") continue;
    const ports: Port[] = [];
    for (const p of svc.spec?.ports ?? []) {
      const port = targetPort(pod, p);
      if (port !== undefined) ports.push({ ...(p.name ? { name: p.name } : {}), port, protocol: p.protocol ?? "TCP" });
    }
    const address: Address = {
      ip,
      ...(pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name ? { hostname: pod.spec.hostname } : {}),
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: { kind: "Pod", namespace: pod.metadata.namespace ?? "", name: pod.metadata.name, uid: pod.metadata.uid },
    };
    const key = JSON.stringify(ports);
    let subset = groups.get(key);
    if (!subset) groups.set(key, (subset = { ports }));
    if (publishAll || isPodReady(pod)) (subset.addresses ??= []).push(address);
    else (subset.notReadyAddresses ??= []).push(address);
  }
  const byIp = (a: Address, b: Address) => a.ip.localeCompare(b.ip, "en", { numeric: true }) || a.targetRef.name.localeCompare(b.targetRef.name);
  return [...groups.values()].map((s) => ({
    ...(s.addresses ? { addresses: s.addresses.sort(byIp) } : {}),
    ...(s.notReadyAddresses ? { notReadyAddresses: s.notReadyAddresses.sort(byIp) } : {}),
    ports: s.ports,
  }));
}

/** The endpoints controller: keeps an Endpoints object per Service with a selector in step with its pods. */
export function startEndpointsController(ctx: ControllerContext): Stoppable {
  const { store } = ctx;
  const queue = new WorkQueue("endpoints", reconcile, ctx.log);
  const unwatch = [
    watchResource(ctx, "services", (e) => queue.add(keyOf(e.object))),
    // A pod's labels or readiness may matter to any Service of its namespace; the queue folds repeats.
    watchResource(ctx, "pods", (e) => {
      for (const svc of store.list("services", { namespace: e.object.metadata.namespace }).items) {
        if ((svc.spec as { selector?: unknown } | undefined)?.selector) queue.add(keyOf(svc));
      }
    }),
  ];

  function reconcile(key: string): void {
    const [namespace, name] = splitKey(key);
    const found = store.get("services", namespace, name);
    if (!found) {
      store.delete("endpoints", namespace, name);
      return;
    }
    const svc = typed<Service>(found);
    const selector = svc.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) return;
    const pods = store.list("pods", { namespace, labelSelector: labelSelectorFromSpec({ matchLabels: selector }) }).items.map((o) => typed<Pod>(o));
    const subsets = endpointSubsets(svc, pods);
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    if ((svc.spec as { clusterIP?: string } | undefined)?.clusterIP === "None") labels["service.kubernetes.io/headless"] = "";
    const current = store.get("endpoints", namespace, name);
    const trigger = { "endpoints.kubernetes.io/last-change-trigger-time": timestamp(ctx.now()) };
    if (!current) {
      store.create("endpoints", {
        apiVersion: "v1",
        kind: "Endpoints",
        metadata: { name, namespace, labels, annotations: trigger },
        ...(subsets.length ? { subsets } : {}),
      });
      return;
    }
    const same = canonicalJson(current.subsets ?? []) === canonicalJson(subsets) && canonicalJson(current.metadata.labels ?? {}) === canonicalJson(labels);
    if (same) return;
    store.mutate("endpoints", namespace, name, (ep: KubeObject) => {
      ep.metadata.labels = labels;
      ep.metadata.annotations = { ...(ep.metadata.annotations ?? {}), ...trigger };
      if (subsets.length) ep.subsets = subsets;
      else delete ep.subsets;
    });
  }

  return {
    stop() {
      for (const u of unwatch) u();
      queue.stop();
    },
  };
}
