import { containerLimits, containerRequests } from "../controllers/quantity.js";
import type { Pod } from "../controllers/kube-shapes.js";
import { isServing, nodeReporting, serviceOf, type ClusterSnapshot } from "./cluster-snapshot.js";
import { CFS_PERIODS_PER_SECOND, cpuDemandMilli, throttledFraction, workingSetBytes } from "./container-usage-model.js";
import { seriesKey, type MetricFamily, type Sample } from "./exposition-format.js";
import type { ScrapeContext } from "./scrape-context.js";
import { profileOf } from "./service-profiles.js";
import type { ServiceTraffic } from "./traffic-model.js";

/**
 * cAdvisor's container metrics, as the kubelet serves them: only for containers running now on
 * a node whose kubelet reports (a crashed container or a NotReady node's pods have no series).
 * CPU counters restart with the container, as cAdvisor's do.
 */
export function cadvisorMetrics(snap: ClusterSnapshot, traffic: ReadonlyMap<string, ServiceTraffic>, ctx: ScrapeContext): MetricFamily[] {
  const reporting = nodeReporting(snap.nodes);
  const servingPods = new Map<string, number>();
  for (const p of snap.pods) if (isServing(p)) servingPods.set(serviceOf(p), (servingPods.get(serviceOf(p)) ?? 0) + 1);

  const families = {
    ws: [] as Sample[],
    limit: [] as Sample[],
    cpu: [] as Sample[],
    periods: [] as Sample[],
    throttled: [] as Sample[],
  };
  for (const pod of snap.pods) {
    if (!reporting(pod.spec?.nodeName) || (pod.metadata.deletionTimestamp && !isRunning(pod))) continue;
    const service = serviceOf(pod);
    const modifier = ctx.modifierOf(service);
    (pod.spec?.containers ?? []).forEach((c, i) => {
      const status = pod.status?.containerStatuses?.find((s) => s.name === c.name);
      const startedAt = status?.state.running?.startedAt;
      if (!status || startedAt === undefined) return;
      const labels = { namespace: pod.metadata.namespace ?? "", pod: pod.metadata.name, container: c.name };
      const limits = containerLimits(c);
      const started = new Date(startedAt);
      const uptimeS = Math.max(0, (ctx.now.getTime() - started.getTime()) / 1000);
      families.ws.push({
        labels,
        value: workingSetBytes({
          seed: ctx.seed,
          key: `${pod.metadata.uid}/${c.name}`,
          limitBytes: limits.memoryBytes,
          requestBytes: containerRequests(c).memoryBytes || undefined,
          startedAt: started,
          now: ctx.now,
          modifier,
        }),
      });
      // cAdvisor reports 0 for a container without a memory limit.
      families.limit.push({ labels, value: limits.memoryBytes ?? 0 });

      // The service's traffic lands on its first container; sidecars idle.
      const demand = cpuDemandMilli({
        profile: profileOf(service),
        traffic: i === 0 ? traffic.get(service) : undefined,
        servingPods: servingPods.get(service) ?? 0,
        serving: isServing(pod),
        modifier: i === 0 ? modifier : {},
      });
      const usedCores = Math.min(demand, limits.cpuMilli ?? Infinity) / 1000;
      // Keyed by restart count: a restarted container is a new cgroup, whose counters start at 0.
      const generation = `${pod.metadata.uid}/${c.name}/${status.restartCount}`;
      const counter = (name: string, perSecond: number) => {
        const key = seriesKey(name, { generation });
        const isNew = !ctx.counters.has(key);
        return ctx.counters.add(key, isNew ? 0 : perSecond * ctx.elapsedSeconds, isNew ? perSecond * uptimeS : 0);
      };
      families.cpu.push({ labels, value: counter("cpu", usedCores) });
      if (limits.cpuMilli !== undefined) {
        families.periods.push({ labels, value: Math.floor(counter("periods", CFS_PERIODS_PER_SECOND)) });
        const throttled = CFS_PERIODS_PER_SECOND * throttledFraction(demand, limits.cpuMilli);
        families.throttled.push({ labels, value: Math.floor(counter("throttled", throttled)) });
      }
    });
  }
  return [
    { name: "container_memory_working_set_bytes", type: "gauge", help: "Current working set of the container in bytes", samples: families.ws },
    { name: "container_spec_memory_limit_bytes", type: "gauge", help: "Memory limit for the container.", samples: families.limit },
    { name: "container_cpu_usage_seconds_total", type: "counter", help: "Cumulative cpu time consumed in seconds.", samples: families.cpu },
    { name: "container_cpu_cfs_periods_total", type: "counter", help: "Number of elapsed enforcement period intervals.", samples: families.periods },
    { name: "container_cpu_cfs_throttled_periods_total", type: "counter", help: "Number of throttled period intervals.", samples: families.throttled },
  ];
}

function isRunning(pod: Pod): boolean {
  return pod.status?.containerStatuses?.some((s) => s.state.running !== undefined) === true;
}
