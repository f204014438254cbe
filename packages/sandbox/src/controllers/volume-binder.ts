import { keyOf, splitKey, watchResource, type ControllerContext, type Stoppable } from "./controller-context.js";
import { WorkQueue } from "./work-queue.js";

/** The CSI driver the sandbox's storage classes name. */
const PROVISIONER = "ebs.csi.aws.com";

type ClaimSpec = { accessModes?: string[]; resources?: { requests?: { storage?: string } }; volumeName?: string; [k: string]: unknown };

/**
 * Dynamic provisioning, shortened: a Pending PersistentVolumeClaim is given a volume
 * (`pvc-<uid>`) of the size it asks for and becomes Bound.
 */
export function startVolumeBinder(ctx: ControllerContext): Stoppable {
  const { store, recorder } = ctx;
  const queue = new WorkQueue("volume-binder", bind, ctx.log);
  const unwatch = watchResource(ctx, "persistentvolumeclaims", (e) => {
    if (e.type !== "DELETED" && (e.object.status as { phase?: string } | undefined)?.phase !== "Bound") queue.add(keyOf(e.object));
  });

  function bind(key: string): void {
    const [namespace, name] = splitKey(key);
    const claim = store.get("persistentvolumeclaims", namespace, name);
    if (!claim || claim.metadata.deletionTimestamp || (claim.status as { phase?: string } | undefined)?.phase === "Bound") return;
    const spec = (claim.spec ?? {}) as ClaimSpec;
    const volume = spec.volumeName ?? `pvc-${claim.metadata.uid}`;
    const updated = store.mutate("persistentvolumeclaims", namespace, name, (c) => {
      c.spec = { ...(c.spec ?? {}), volumeName: volume };
      c.metadata.annotations = {
        ...(c.metadata.annotations ?? {}),
        "pv.kubernetes.io/bind-completed": "yes",
        "pv.kubernetes.io/bound-by-controller": "yes",
        "volume.beta.kubernetes.io/storage-provisioner": PROVISIONER,
        "volume.kubernetes.io/storage-provisioner": PROVISIONER,
      };
    });
    if (!updated.ok) return;
    store.mutate(
      "persistentvolumeclaims",
      namespace,
      name,
      (c) => {
        c.status = {
          phase: "Bound",
          accessModes: spec.accessModes ?? ["ReadWriteOnce"],
          capacity: { storage: spec.resources?.requests?.storage ?? "1Gi" },
        };
      },
      { subresource: "status" },
    );
    recorder.record(updated.value, { component: `${PROVISIONER}_ebs-csi-controller` }, "Normal", "ProvisioningSucceeded", `Successfully provisioned volume ${volume}`);
  }

  return {
    stop() {
      unwatch();
      queue.stop();
    },
  };
}
