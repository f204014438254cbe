import { smoothNoise } from "./noise.js";
import { EXTERNAL_SERVICES, entryRps, profileOf } from "./service-profiles.js";
import type { ServiceModifier } from "./telemetry-modifiers.js";

/** One service as the traffic model sees it: whom it calls and what is serving it right now. */
export interface ServiceState {
  name: string;
  namespace: string;
  calls: readonly string[];
  /** Pods that are Ready (in the Service's endpoints); 0 means callers' connections are refused. */
  readyPods: number;
  /** CPU limit of one pod in millicores; undefined when it has none. */
  cpuLimitMilli: number | undefined;
  /** Labels of each Ready pod, for modifiers scoped to some of them (`errorPodLabels`). */
  readyPodLabels?: ReadonlyArray<Readonly<Record<string, string>>>;
  /** Image of each Ready pod's first container, in the order of `readyPodLabels` (`errorImage`). */
  readyPodImages?: readonly string[];
  /** Callers whose connections a NetworkPolicy drops: their calls time out and never arrive. */
  unreachableFrom?: ReadonlySet<string>;
}

export interface TrafficInput {
  cluster: string;
  at: Date;
  seed: number;
  services: readonly ServiceState[];
  modifierOf: (service: string) => Readonly<ServiceModifier>;
  /** Length of the traffic's daily cycle; a day by default. */
  dayMs?: number;
  /** Leaves out the short-term wander of entry traffic (±TRAFFIC_NOISE): the steady rate at that time of day. */
  steady?: boolean;
}

/** How far entry traffic wanders around its daily curve, as a fraction. */
export const TRAFFIC_NOISE = 0.06;

/** What one service is doing at one instant. Fractions of `rps` add up to 1 across codes. */
export interface ServiceTraffic {
  service: string;
  namespace: string;
  /** Requests per second the service answers (0 when nothing serves it). */
  rps: number;
  codes: { "200": number; "404": number; "500": number; "503": number; "504": number };
  /** Median latency in ms and the spread (sigma of the log-normal) of its distribution. */
  latencyMedianMs: number;
  latencySigma: number;
  /** Share of requests that wait out a call's timeout somewhere below, taking `timeoutMs` longer. */
  slowFraction: number;
  timeoutMs: number;
  /** CPU the service's pods want in total, in millicores, before limits cap it. */
  cpuDemandMilli: number;
  /** Demand over the capacity of its ready pods' limits; above 1 the pods are throttled. */
  saturation: number;
}

/** Baseline server errors: a healthy service still fails one request in a thousand. */
const BASE_ERROR_RATE = 0.001;
const BASE_NOT_FOUND_RATE = 0.005;
/** Share of a dependency's failures its caller passes on; the rest it retries or degrades around. */
const PROPAGATION = 0.7;
const LATENCY_SIGMA = 0.55;
/** An empty Service refuses connections at once: the caller's call costs almost nothing. */
const REFUSED_CALL_MS = 1;
/** How long a caller waits on a call that never connects (the estate's services use ~3 s). */
export const CALL_TIMEOUT_MS = 3000;

/** Share of the service's traffic served by the pods a modifier's labels or image pick: endpoints spread it evenly over Ready pods. */
function errorShare(s: ServiceState, mod: Readonly<ServiceModifier>): number {
  const labels = mod.errorPodLabels;
  const image = mod.errorImage;
  if (!labels && image === undefined) return 1;
  const ready = s.readyPodLabels ?? [];
  if (ready.length === 0) return 0;
  const picked = ready.filter((l, i) => (!labels || Object.entries(labels).every(([k, v]) => l[k] === v)) && (image === undefined || s.readyPodImages?.[i] === image));
  return picked.length / ready.length;
}

/** Callers first: every service after all of the services that call it. */
function topologicalOrder(services: readonly ServiceState[]): ServiceState[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const seen = new Set<string>();
  const order: ServiceState[] = [];
  const visit = (s: ServiceState, path: Set<string>) => {
    if (seen.has(s.name)) return;
    if (path.has(s.name)) throw new Error(`call graph has a cycle through ${s.name}`);
    path.add(s.name);
    for (const c of s.calls) {
      const dep = byName.get(c);
      if (dep) visit(dep, path);
    }
    path.delete(s.name);
    seen.add(s.name);
    order.push(s);
  };
  for (const s of services) visit(s, new Set());
  return order.reverse();
}

/** The slow daily swing of user traffic: quietest around 04:00, busiest around 16:00. */
function dailyCurve(atMs: number, dayMs: number): number {
  const phase = ((atMs % dayMs) / dayMs) * 2 * Math.PI;
  return 1 + 0.25 * Math.sin(phase - (10 / 24) * 2 * Math.PI);
}

/** report-gen crunches the nightly reports between 02:00 and 02:30. */
function nightlyBurst(service: string, atMs: number, dayMs: number): number {
  if (service !== "report-gen") return 1;
  const dayFraction = (atMs % dayMs) / dayMs;
  return dayFraction >= 2 / 24 && dayFraction < 2.5 / 24 ? 20 : 1;
}

/**
 * Queueing: latency barely moves until the CPU is ~80 % busy, then climbs steeply. Past the limit
 * the CFS quota runs out in every period and requests queue behind each other, so the wait grows
 * with the excess demand (about 14 × the own work at 1.4 × the limit).
 */
export function queueingFactor(saturation: number): number {
  if (saturation <= 0.8) return 1;
  if (saturation <= 1) return 1 + 10 * (saturation - 0.8) ** 2;
  return 1.4 + 33 * (saturation - 1);
}

/** Requests that time out once the pods are far past their CPU limit. */
function overloadErrors(saturation: number): number {
  return saturation <= 1.2 ? 0 : Math.min(0.3, (saturation - 1.2) * 0.2);
}

/**
 * Request rates, error split and latency of every service of a cluster at one instant. Pure: the
 * same input gives the same output. Rates flow down the call graph (a caller's requests fan out
 * to its dependencies); failures and latency flow back up (a failing dependency raises its
 * callers' errors, partially, and its latency adds to theirs).
 */
export function computeTraffic(input: TrafficInput): Map<string, ServiceTraffic> {
  const dayMs = input.dayMs ?? 86_400_000;
  const atMs = input.at.getTime();
  const order = topologicalOrder(input.services);
  const byName = new Map(input.services.map((s) => [s.name, s]));
  const entries = entryRps(input.cluster);

  // Down the graph: what each service is asked, and what it serves.
  const offered = new Map<string, number>();
  const served = new Map<string, number>();
  for (const s of order) {
    const entry = entries[s.name];
    const external =
      entry === undefined
        ? 0
        : entry * dailyCurve(atMs, dayMs) * nightlyBurst(s.name, atMs, dayMs) * (input.steady === true ? 1 : 1 + TRAFFIC_NOISE * smoothNoise(input.seed, `${input.cluster}/${s.name}`, atMs));
    const asked = (external + (offered.get(s.name) ?? 0)) * (input.modifierOf(s.name).trafficFactor ?? 1);
    const rps = s.readyPods > 0 ? asked : 0;
    served.set(s.name, rps);
    const profile = profileOf(s.name);
    for (const dep of s.calls) {
      // Dropped by a NetworkPolicy: the caller's packets never reach the dependency.
      if (byName.get(dep)?.unreachableFrom?.has(s.name)) continue;
      offered.set(dep, (offered.get(dep) ?? 0) + rps * (profile.fanout[dep] ?? 1));
    }
  }

  // Up the graph: failures and latency, dependencies before their callers.
  const result = new Map<string, ServiceTraffic>();
  for (const s of [...order].reverse()) {
    const profile = profileOf(s.name);
    const mod = input.modifierOf(s.name);
    const rps = served.get(s.name) ?? 0;
    const cpuDemandMilli = profile.idleCpuMilli * s.readyPods + rps * profile.cpuMilliPerRps;
    const capacity = s.cpuLimitMilli === undefined ? Infinity : s.cpuLimitMilli * s.readyPods;
    const saturation = capacity === Infinity ? 0 : capacity > 0 ? cpuDemandMilli / capacity : 0;

    const ownErrors = (mod.errorRate ?? 0) * errorShare(s, mod);
    let survive500 = 1 - Math.min(1, BASE_ERROR_RATE + ownErrors + overloadErrors(saturation));
    let survive503 = 1;
    let survive504 = 1;
    let fast = 1;
    let latency = profile.ownWorkMs * queueingFactor(saturation) + (mod.extraLatencyMs ?? 0);
    for (const dep of s.calls) {
      const share = Math.min(1, profile.fanout[dep] ?? 1);
      const calls = profile.fanout[dep] ?? 1;
      const ext = EXTERNAL_SERVICES[dep];
      if (ext) {
        latency += calls * (ext.latencyMs + (mod.externalLatencyMs ?? 0));
        continue;
      }
      const d = result.get(dep);
      if (!d) continue; // not deployed in this cluster: its calls are not modelled
      if (byName.get(dep)?.unreachableFrom?.has(s.name)) {
        survive504 *= 1 - PROPAGATION * share;
        fast *= 1 - share;
        continue;
      }
      // Nothing Ready behind the Service: connections are refused. (A service that is merely idle has rps 0 too.)
      if ((byName.get(dep)?.readyPods ?? 0) === 0) {
        survive503 *= 1 - PROPAGATION * share;
        latency += calls * REFUSED_CALL_MS;
        continue;
      }
      survive500 *= 1 - PROPAGATION * share * d.codes["500"];
      survive503 *= 1 - PROPAGATION * share * d.codes["503"];
      survive504 *= 1 - PROPAGATION * share * d.codes["504"];
      fast *= 1 - share * d.slowFraction;
      latency += calls * d.latencyMedianMs;
    }
    // Refused connections (503) answer first, then timeouts (504), then everything else (500).
    const fail503 = 1 - survive503;
    const fail504 = survive503 * (1 - survive504);
    const fail500 = survive503 * survive504 * (1 - survive500);
    const notFound = Math.min(1 - fail500 - fail503 - fail504, BASE_NOT_FOUND_RATE + (mod.clientErrorRate ?? 0));
    result.set(s.name, {
      service: s.name,
      namespace: s.namespace,
      rps,
      codes: { "200": Math.max(0, 1 - fail500 - fail503 - fail504 - notFound), "404": notFound, "500": fail500, "503": fail503, "504": fail504 },
      latencyMedianMs: latency,
      latencySigma: LATENCY_SIGMA,
      slowFraction: 1 - fast,
      timeoutMs: CALL_TIMEOUT_MS,
      cpuDemandMilli,
      saturation,
    });
  }
  return result;
}
