import type { ClusterStore } from "../store/cluster-store.js";
import type { KubeObject, ObjectMeta } from "../store/types.js";
import { controllerOf, controllerRef, type PodTemplate } from "./kube-shapes.js";
import { templateHash } from "./template-hash.js";

const REVISIONS = "apps/controllerrevisions";

type Owner = { apiVersion: string; kind: string; metadata: ObjectMeta };
type Revision = KubeObject & { revision?: number; data?: { spec?: { template?: PodTemplate } } };

/** The template a ControllerRevision recorded. */
export function revisionTemplate(store: ClusterStore, namespace: string, name: string): PodTemplate | undefined {
  const r = store.get(REVISIONS, namespace, name) as Revision | undefined;
  const t = r?.data?.spec?.template;
  if (!t) return undefined;
  const { $patch: _patch, ...template } = t as PodTemplate & { $patch?: string };
  return template;
}

/**
 * Makes sure the owner's current template has its ControllerRevision (`<owner>-<hash>`, the
 * history `kubectl rollout history/undo statefulset` reads): a new template gets the next
 * revision number, an old one brought back moves to the next number, and revisions beyond
 * `historyLimit` that no pod uses are deleted.
 */
export function syncControllerRevision(
  store: ClusterStore,
  owner: Owner,
  template: PodTemplate | undefined,
  opts: { labels: Record<string, string>; historyLimit: number; inUse: Set<string> },
): { name: string; hash: string } {
  const namespace = owner.metadata.namespace ?? "";
  const hash = templateHash(template);
  const name = `${owner.metadata.name}-${hash}`;
  const owned = store
    .list(REVISIONS, { namespace })
    .items.filter((r) => controllerOf(r)?.uid === owner.metadata.uid) as Revision[];
  const max = Math.max(0, ...owned.map((r) => r.revision ?? 0));
  const existing = owned.find((r) => r.metadata.name === name);
  if (existing) {
    if ((existing.revision ?? 0) < max) store.mutate(REVISIONS, namespace, name, (r) => void (r.revision = max + 1));
  } else {
    store.create(REVISIONS, {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: {
        name,
        namespace,
        labels: { ...opts.labels, "controller.kubernetes.io/hash": hash },
        ...(owner.metadata.annotations ? { annotations: { ...owner.metadata.annotations } } : {}),
        ownerReferences: [controllerRef(owner)],
      },
      data: { spec: { template: { ...structuredClone(template ?? {}), $patch: "replace" } } },
      revision: max + 1,
    });
  }
  const keep = new Set([...opts.inUse, name]);
  const prunable = owned.filter((r) => !keep.has(r.metadata.name)).sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  for (const r of prunable.slice(0, Math.max(0, prunable.length - opts.historyLimit))) store.delete(REVISIONS, namespace, r.metadata.name);
  return { name, hash };
}
