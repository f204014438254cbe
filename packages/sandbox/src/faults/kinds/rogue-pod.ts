import { z } from "zod";
import { err, ok } from "@autodevops/shared";
import { typed, type Node } from "../../controllers/kube-shapes.js";
import { cpuMilli } from "../../controllers/quantity.js";
import { defineFault } from "../kind-def.js";
import { curedBy, notYet } from "../cure-rules.js";
import { by, message } from "./params.js";

/** A registry nobody in the estate pulls from (the estate's is registry.example.com). */
export const ROGUE_IMAGE = "docker.minerhub.example/kdevtmpfsi/kworkerd:latest";
/** A mining pool's stratum endpoint (a documentation address): the odd port the pod talks to. */
export const POOL = "203.0.113.47:3333";
/** Who created the pod: a leaked token of the namespace's default service account. */
const DEFAULT_CREATOR = (namespace: string) => `system:serviceaccount:${namespace}:default`;
const APP = "kworkerd";

type State = { node: string; namespace: string; pod: string; podUid: string; cpuMilli: number };

/**
 * `target` is a node. A bare pod nobody owns (no controller, an unfamiliar registry's image, no
 * limits) appears in `namespace` (default `dev`), bound straight to the node, created through a
 * leaked service-account token (`params.by` to name someone else): it pins the node's CPU
 * (cAdvisor), and its logs show it holding a connection to a mining pool on port 3333. Nothing
 * automatic cures it: it is evidence for security, and the cure is a person deleting the pod
 * (after they have looked at it); Scarlet should only escalate.
 */
export const roguePod = defineFault({
  targetsNode: true,
  params: z.strictObject({ message, by, image: z.string().regex(/^[\w.-]+(:\d+)?\/[\w./-]+(:[\w.-]+)?$/, "an image reference such as host/repo/name:tag").optional() }),
  inject(ctx, p) {
    const nodeObj = ctx.cluster.store.get("nodes", undefined, ctx.target);
    if (!nodeObj) return err({ code: "unknown_target", message: `no node "${ctx.target}" in cluster ${ctx.cluster.name}` });
    const namespace = ctx.namespace || "dev";
    if (!ctx.cluster.store.get("namespaces", undefined, namespace)) return err({ code: "unknown_target", message: `no namespace "${namespace}" in cluster ${ctx.cluster.name}` });
    const node = typed<Node>(nodeObj);
    const cores = cpuMilli(node.status?.allocatable?.cpu ?? node.status?.capacity?.cpu) || 4000;
    const suffix = ctx.now.getTime().toString(36).slice(-5);
    const name = `${APP}-${suffix}`;
    const created = ctx.cluster.store.create("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace, labels: { app: APP } },
      spec: {
        nodeName: ctx.target,
        restartPolicy: "Always",
        containers: [
          {
            name: APP,
            image: p.image ?? ROGUE_IMAGE,
            command: ["/bin/sh", "-c"],
            args: [`./${APP} -o stratum+tcp://${POOL} -u 48edfHu7V9Z84YzzMa6fUueoELZ9ZRXq9VetWzYGzKt52XU5xvqgzYnDK9URnRoJMk1j8nLwEVsaSWJ4fhdUyZijBGUicoD -p x --donate-level 0 --threads ${Math.ceil(cores / 1000)}`],
          },
        ],
      },
    });
    if (!created.ok) return err({ code: "unknown_target", message: created.error.message });
    const own = ctx.record(p.by ?? DEFAULT_CREATOR(namespace), { verb: "create", resource: "pods", name, action: null });
    // The recorder puts the request's namespace on the entry; the pod is in `namespace`.
    own.namespace = namespace;
    return ok({ state: { node: ctx.target, namespace, pod: name, podUid: created.value.metadata.uid, cpuMilli: cores } satisfies State, own: [own] });
  },
  effects(f, ctx) {
    if (ctx.pod.metadata.uid !== f.state.podUid) return [];
    const line = f.message ?? ` net      new job from ${POOL} diff 480045 algo rx/0 height 3251187 (2 tx)`;
    return [{ type: "log", since: new Date(f.injectedAt), everyMs: 3_000, line }];
  },
  modifiers(f) {
    // No limit: the miner takes every core the node has.
    return [{ service: APP, modifier: { cpuMilli: f.state.cpuMilli } }];
  },
  judgeCure(f, view) {
    const pod = view.store.get("pods", f.state.namespace, f.state.pod);
    if (pod && pod.metadata.uid === f.state.podUid && !pod.metadata.deletionTimestamp) return notYet;
    return curedBy(f, view, (m) => m.resource === "pods" && m.namespace === f.state.namespace && (m.name === f.state.pod || m.name === null));
  },
  undo(f, cluster) {
    if (!f.cured) cluster.store.delete("pods", f.state.namespace, f.state.pod, { gracePeriodSeconds: 0 });
  },
});
