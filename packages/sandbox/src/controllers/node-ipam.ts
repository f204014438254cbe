import { watchResource, type ControllerContext, type Stoppable } from "./controller-context.js";
import { typed, type Node } from "./kube-shapes.js";
import { WorkQueue } from "./work-queue.js";

/** The cluster's pod network: each node gets a /24 of it, as kube-controller-manager's --cluster-cidr. */
const CLUSTER_CIDR_PREFIX = "10.244";

/** The node IPAM controller: gives a node without one the lowest free /24 of the pod network (spec.podCIDR). */
export function startNodeIpam(ctx: ControllerContext): Stoppable {
  const { store } = ctx;
  const queue = new WorkQueue("node-ipam", assign, ctx.log);
  const unwatch = watchResource(ctx, "nodes", (e) => {
    if (e.type !== "DELETED" && !typed<Node>(e.object).spec?.podCIDR) queue.add(e.object.metadata.name);
  });

  function assign(name: string): void {
    const nodes = store.list("nodes").items.map((o) => typed<Node>(o));
    if (nodes.find((n) => n.metadata.name === name)?.spec?.podCIDR) return;
    const taken = new Set(nodes.map((n) => n.spec?.podCIDR).filter((c): c is string => Boolean(c)));
    for (let i = 0; i < 256; i++) {
      const cidr = `${CLUSTER_CIDR_PREFIX}.${i}.0/24`;
      if (taken.has(cidr)) continue;
      store.mutate("nodes", undefined, name, (n) => {
        n.spec = { ...(n.spec ?? {}), podCIDR: cidr, podCIDRs: [cidr] };
      });
      return;
    }
    ctx.log.warn({ cluster: ctx.cluster, node: name }, "no pod CIDR left for node");
  }

  return {
    stop() {
      unwatch();
      queue.stop();
    },
  };
}
