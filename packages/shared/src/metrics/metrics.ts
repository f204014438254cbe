import type { IncomingMessage, ServerResponse } from "node:http";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export interface ServiceMetrics {
  registry: Registry;
  /** Any counter, gauge or histogram a service defines is registered here and labelled with it. */
  counter<L extends string>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  gauge<L extends string>(name: string, help: string, labelNames?: readonly L[]): Gauge<L>;
  histogram<L extends string>(name: string, help: string, labelNames?: readonly L[], buckets?: number[]): Histogram<L>;
}

/**
 * One registry per service, with Node's process metrics and a `service` label on every series,
 * so Scarlet's and Jamie's numbers stay apart when one Prometheus scrapes both.
 */
export function createServiceMetrics(service: string, prefix = "autodevops_"): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix });
  const full = (name: string) => (name.startsWith(prefix) ? name : `${prefix}${name}`);
  return {
    registry,
    counter: (name, help, labelNames = []) => new Counter({ name: full(name), help, labelNames, registers: [registry] }),
    gauge: (name, help, labelNames = []) => new Gauge({ name: full(name), help, labelNames, registers: [registry] }),
    histogram: (name, help, labelNames = [], buckets) =>
      new Histogram({ name: full(name), help, labelNames, registers: [registry], ...(buckets ? { buckets } : {}) }),
  };
}

/** A node:http handler for `GET /metrics`; answers 405 to anything but GET and HEAD. */
export function metricsHandler(registry: Registry) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    try {
      const body = await registry.metrics();
      res.writeHead(200, { "content-type": registry.contentType });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain" }).end(`metrics collection failed: ${(error as Error).message}`);
    }
  };
}
