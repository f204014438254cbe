import type { Container, PodSpec, Quantity } from "./kube-shapes.js";

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Kubernetes quantity (`250m`, `1.5`, `512Mi`, `1e3`) in base units; NaN when it does not parse. */
export function parseQuantity(q: Quantity | undefined): number {
  if (q === undefined) return NaN;
  if (typeof q === "number") return q;
  const m = /^([+-]?[0-9.]+)(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/.exec(q.trim());
  if (!m) return NaN;
  const [, num = "", exp, suffix = ""] = m;
  const base = Number(num);
  if (exp) return base * 10 ** Number(exp.slice(1));
  return base * (BINARY[suffix] ?? DECIMAL[suffix] ?? NaN);
}

/** CPU in millicores, rounded up as the API server rounds sub-milli values. */
export function cpuMilli(q: Quantity | undefined): number {
  const v = parseQuantity(q);
  return Number.isFinite(v) ? Math.ceil(Math.round(v * 1e6) / 1e3) : 0;
}

/** Memory or storage in bytes. */
export function bytes(q: Quantity | undefined): number {
  const v = parseQuantity(q);
  return Number.isFinite(v) ? Math.ceil(v) : 0;
}

export function formatCpu(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Bytes in the largest exact binary unit, else decimal unit, as `kubectl` prints quantities. */
export function formatBytes(b: number): string {
  if (b === 0) return "0";
  for (const [suffix, size] of Object.entries(BINARY).reverse()) if (b % size === 0) return `${b / size}${suffix}`;
  for (const [suffix, size] of [["G", 1e9], ["M", 1e6], ["k", 1e3]] as const) if (b % size === 0) return `${b / size}${suffix}`;
  return String(b);
}

/** A quota or resource name's value formatted as the API server prints it. */
export function formatResource(name: string, value: number): string {
  if (name === "cpu" || name.endsWith(".cpu")) return formatCpu(value);
  if (name === "memory" || name.endsWith(".memory") || name.endsWith("storage")) return formatBytes(value);
  return String(value);
}

export type PodResources = { cpuMilli: number; memoryBytes: number };

/**
 * What a container asks for: its requests, or its limits where a request is missing (the API
 * server defaults requests to limits).
 */
export function containerRequests(c: Container): PodResources {
  const r = c.resources ?? {};
  return {
    cpuMilli: cpuMilli(r.requests?.cpu ?? r.limits?.cpu),
    memoryBytes: bytes(r.requests?.memory ?? r.limits?.memory),
  };
}

export function containerLimits(c: Container): { cpuMilli: number | undefined; memoryBytes: number | undefined } {
  const l = c.resources?.limits ?? {};
  return {
    cpuMilli: l.cpu === undefined ? undefined : cpuMilli(l.cpu),
    memoryBytes: l.memory === undefined ? undefined : bytes(l.memory),
  };
}

/** A pod's effective request, as the scheduler counts it: the sum of its containers, or its largest init container if that is more. */
export function podRequests(spec: PodSpec | undefined): PodResources {
  const sum = { cpuMilli: 0, memoryBytes: 0 };
  for (const c of spec?.containers ?? []) {
    const r = containerRequests(c);
    sum.cpuMilli += r.cpuMilli;
    sum.memoryBytes += r.memoryBytes;
  }
  for (const c of spec?.initContainers ?? []) {
    const r = containerRequests(c);
    sum.cpuMilli = Math.max(sum.cpuMilli, r.cpuMilli);
    sum.memoryBytes = Math.max(sum.memoryBytes, r.memoryBytes);
  }
  return sum;
}

/** The pod's QoS class, by the rules the API server applies. */
export function qosClass(spec: PodSpec | undefined): "Guaranteed" | "Burstable" | "BestEffort" {
  const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ["cpu", "memory"]) {
      const l = lim[r];
      const q = req[r] ?? l;
      if (l === undefined || parseQuantity(q) !== parseQuantity(l)) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}
