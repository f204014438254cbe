import { watchResource, type ControllerContext, type Stoppable } from "./controller-context.js";
import { COUNTED_RESOURCES, namespaceUsage, quotaStatus, type Quota } from "./resource-quota.js";
import { canonicalJson } from "./template-hash.js";
import { WorkQueue } from "./work-queue.js";

/** The resource quota controller: keeps each ResourceQuota's status (hard, used) in step with its namespace. */
export function startQuotaController(ctx: ControllerContext): Stoppable {
  const { store } = ctx;
  const queue = new WorkQueue("resourcequota", reconcile, ctx.log);
  /** Namespaces with at least one quota: only their changes are worth a recount. */
  const quotaCount = new Map<string, number>();

  const onChange = (namespace: string | undefined) => {
    if (namespace && quotaCount.get(namespace)) queue.add(namespace);
  };
  const unwatch = [
    watchResource(ctx, "resourcequotas", (e) => {
      const ns = e.object.metadata.namespace ?? "";
      quotaCount.set(ns, store.list("resourcequotas", { namespace: ns }).items.length);
      onChange(ns);
    }),
    ...["pods", ...COUNTED_RESOURCES.filter((r) => r !== "pods")].map((resource) => watchResource(ctx, resource, (e) => onChange(e.object.metadata.namespace))),
  ];

  function reconcile(namespace: string): void {
    const quotas = store.list("resourcequotas", { namespace }).items as Quota[];
    if (quotas.length === 0) return;
    const used = namespaceUsage((resource) => store.list(resource, { namespace }).items);
    for (const q of quotas) {
      const status = quotaStatus(q, used);
      if (canonicalJson(q.status ?? {}) === canonicalJson(status)) continue;
      store.mutate("resourcequotas", namespace, q.metadata.name, (o) => void (o.status = status), { subresource: "status" });
    }
  }

  return {
    stop() {
      for (const u of unwatch) u();
      queue.stop();
    },
  };
}
