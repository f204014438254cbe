import type { KubeObject } from "../store/types.js";
import { keyOf, splitKey, watchResource, type ControllerContext, type Stoppable } from "./controller-context.js";
import { bytes } from "./quantity.js";
import { WorkQueue } from "./work-queue.js";

/** The CSI driver the sandbox's storage classes name. */
const PROVISIONER = "ebs.csi.aws.com";

type ClaimSpec = { accessModes?: string[]; resources?: { requests?: { storage?: string } }; volumeName?: string; [k: string]: unknown };
type ClaimStatus = { phase?: string; capacity?: { storage?: string } };

/** A Bound claim whose request has grown past its volume's size: the resizer's work. */
const wantsExpansion = (spec: ClaimSpec, status: ClaimStatus | undefined): boolean =>
  status?.phase === "Bound" && bytes(spec.resources?.requests?.storage) > bytes(status.capacity?.storage);

/**
 * Dynamic provisioning, shortened: a Pending PersistentVolumeClaim is given a volume
 * (`pvc-<uid>`) of the size it asks for and becomes Bound. Online expansion, shortened too: a
 * Bound claim whose request is raised gets a volume of the new size at once (the CSI resizer's
 * and the kubelet's file system resize in one step, with their events).
 */
export function startVolumeBinder(ctx: ControllerContext): Stoppable {
  const { store, recorder } = ctx;
  const queue = new WorkQueue("volume-binder", bind, ctx.log);
  const unwatch = watchResource(ctx, "persistentvolumeclaims", (e) => {
    if (e.type === "DELETED") return;
    const status = e.object.status as ClaimStatus | undefined;
    if (status?.phase !== "Bound" || wantsExpansion((e.object.spec ?? {}) as ClaimSpec, status)) queue.add(keyOf(e.object));
  });

  function bind(key: string): void {
    const [namespace, name] = splitKey(key);
    const claim = store.get("persistentvolumeclaims", namespace, name);
    if (!claim || claim.metadata.deletionTimestamp) return;
    const spec = (claim.spec ?? {}) as ClaimSpec;
    const current = claim.status as ClaimStatus | undefined;
    if (wantsExpansion(spec, current)) return expand(claim, spec, current);
    if (current?.phase === "Bound") return;
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

  function expand(claim: KubeObject, spec: ClaimSpec, status: ClaimStatus | undefined): void {
    const namespace = claim.metadata.namespace ?? "";
    const volume = spec.volumeName ?? `pvc-${claim.metadata.uid}`;
    const size = spec.resources?.requests?.storage ?? "1Gi";
    recorder.record(claim, { component: `external-resizer ${PROVISIONER}` }, "Normal", "Resizing", `External resizer is resizing volume ${volume}`);
    const resized = store.mutate(
      "persistentvolumeclaims",
      namespace,
      claim.metadata.name,
      (c) => void (c.status = { ...(c.status ?? {}), ...status, capacity: { ...status?.capacity, storage: size } }),
      { subresource: "status" },
    );
    if (!resized.ok) return;
    recorder.record(resized.value, { component: `external-resizer ${PROVISIONER}` }, "Normal", "VolumeResizeSuccessful", "Resize volume succeeded");
    recorder.record(resized.value, { component: "kubelet" }, "Normal", "FileSystemResizeSuccessful", `MountVolume.NodeExpandVolume succeeded for volume "${volume}"`);
  }

  return {
    stop() {
      unwatch();
      queue.stop();
    },
  };
}
