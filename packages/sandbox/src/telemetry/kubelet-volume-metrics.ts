import { bytes } from "../controllers/quantity.js";
import { nodeReporting, serviceOf, type ClusterSnapshot } from "./cluster-snapshot.js";
import type { MetricFamily, Sample } from "./exposition-format.js";
import { smoothNoise } from "./noise.js";
import type { ScrapeContext } from "./scrape-context.js";

/** A database's volume sits a little under half full on a normal day. */
const BASELINE_USED_FRACTION = 0.45;
const INODES_PER_GIB = 65_536;

/**
 * The kubelet's volume stats: only for claims mounted by a running pod on a reporting node (the
 * kubelet measures what it has mounted). Used bytes follow the mounting service's
 * `diskUsedFraction` modifier, so a disk-pressure fault fills the claim.
 */
export function kubeletVolumeMetrics(snap: ClusterSnapshot, ctx: ScrapeContext): MetricFamily[] {
  const reporting = nodeReporting(snap.nodes);
  const used: Sample[] = [];
  const capacity: Sample[] = [];
  const available: Sample[] = [];
  const inodes: Sample[] = [];
  for (const pvc of snap.pvcs) {
    const namespace = pvc.metadata.namespace ?? "";
    const mounter = snap.pods.find(
      (p) =>
        p.metadata.namespace === namespace &&
        p.status?.phase === "Running" &&
        reporting(p.spec?.nodeName) &&
        (p.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === pvc.metadata.name),
    );
    if (!mounter) continue;
    const status = (pvc.status ?? {}) as { capacity?: { storage?: string } };
    const spec = (pvc.spec ?? {}) as { resources?: { requests?: { storage?: string } } };
    const capBytes = bytes(status.capacity?.storage ?? spec.resources?.requests?.storage);
    if (capBytes <= 0) continue;
    const modifier = ctx.modifierOf(serviceOf(mounter));
    const fraction = modifier.diskUsedFraction ?? BASELINE_USED_FRACTION * (1 + 0.01 * smoothNoise(ctx.seed, `disk/${namespace}/${pvc.metadata.name}`, ctx.now.getTime(), 60_000));
    const usedBytes = Math.round(modifier.diskUsedBytes !== undefined ? Math.min(capBytes, modifier.diskUsedBytes) : capBytes * Math.min(1, Math.max(0, fraction)));
    const labels = { namespace, persistentvolumeclaim: pvc.metadata.name };
    used.push({ labels, value: usedBytes });
    capacity.push({ labels, value: capBytes });
    available.push({ labels, value: capBytes - usedBytes });
    inodes.push({ labels, value: Math.round((capBytes / 2 ** 30) * INODES_PER_GIB) });
  }
  return [
    { name: "kubelet_volume_stats_used_bytes", type: "gauge", help: "Number of used bytes in the volume", samples: used },
    { name: "kubelet_volume_stats_capacity_bytes", type: "gauge", help: "Capacity in bytes of the volume", samples: capacity },
    { name: "kubelet_volume_stats_available_bytes", type: "gauge", help: "Number of available bytes in the volume", samples: available },
    { name: "kubelet_volume_stats_inodes", type: "gauge", help: "Maximum number of inodes in the volume", samples: inodes },
  ];
}
