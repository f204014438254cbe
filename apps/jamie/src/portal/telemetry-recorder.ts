import http from "node:http";
import https from "node:https";
import { parseExposition, type CounterReading, type ScrapedCluster } from "@autodevops/scarlet";
import type { Incident, Logger } from "@autodevops/shared";
import type { MetricSeries } from "./incident-metrics.js";
import { frameFromScrape, seriesFromFrames, type Frame } from "./telemetry-recorder-frame.js";

export interface TelemetryRecorderOptions {
  /** Each cluster's /metrics with the CA and token to read it (`clustersFromSandbox(…).scrape`). */
  clusters: readonly ScrapedCluster[];
  /** Between scrapes; default 5 s. */
  intervalMs?: number;
  /** How much history is kept per cluster; default 30 minutes. */
  windowMs?: number;
  /** How far back a rate looks, like PromQL's `[1m]`; default one minute. */
  rateWindowMs?: number;
  timeoutMs?: number;
  log: Pick<Logger, "warn" | "info">;
  now?: () => Date;
}

/** The exposition at `url`, trusting the cluster's own CA and sending its bearer token. */
function scrapeText(c: ScrapedCluster, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const get = c.metricsUrl.startsWith("https:") ? https.get : http.get;
    const req = get(c.metricsUrl, { ...(c.ca ? { ca: c.ca } : {}), headers: { accept: "text/plain", ...(c.token ? { authorization: `Bearer ${c.token}` } : {}) }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("error", reject);
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        if (res.statusCode === 200) resolve(body);
        else reject(new Error(`HTTP ${res.statusCode ?? "?"}: ${body.slice(0, 200)}`));
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
  });
}

/**
 * The incident charts' data without Prometheus: scrapes each sandbox cluster's /metrics every
 * few seconds and keeps, for a bounded window, only what the four charts need (per-service
 * 5xx share and p99, per-workload restarts and memory). Started and stopped by Jamie's boot.
 */
export class TelemetryRecorder {
  readonly #o: Required<Omit<TelemetryRecorderOptions, "clusters" | "log" | "now">> & Pick<TelemetryRecorderOptions, "clusters" | "log">;
  readonly #now: () => Date;
  readonly #frames = new Map<string, Frame[]>();
  readonly #history = new Map<string, CounterReading[]>();
  /** Clusters whose last scrape failed: logged once until they answer again. */
  readonly #failing = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;

  constructor(opts: TelemetryRecorderOptions) {
    this.#o = { intervalMs: 5_000, windowMs: 30 * 60_000, rateWindowMs: 60_000, timeoutMs: 4_000, ...opts };
    this.#now = opts.now ?? (() => new Date());
  }

  /** Scrapes now and then every interval; a slow round is never overlapped by the next. */
  start(): void {
    if (this.#timer) return;
    const tick = () => {
      this.#round ??= this.scrapeOnce().finally(() => (this.#round = undefined));
    };
    tick();
    this.#timer = setInterval(tick, this.#o.intervalMs);
    this.#timer.unref();
  }

  /** One round over every cluster; a cluster that does not answer is logged and skipped. */
  async scrapeOnce(): Promise<void> {
    await Promise.all(
      this.#o.clusters.map(async (c) => {
        try {
          const text = await scrapeText(c, this.#o.timeoutMs);
          this.record(c.name, text, this.#now());
          if (this.#failing.delete(c.name)) this.#o.log.info({ cluster: c.name }, "telemetry scrape recovered");
        } catch (e) {
          if (!this.#failing.has(c.name)) this.#o.log.warn({ cluster: c.name, err: e instanceof Error ? e.message : String(e) }, "telemetry scrape failed");
          this.#failing.add(c.name);
        }
      }),
    );
  }

  /** Adds one scrape of `cluster` taken at `at`, and forgets what has fallen out of the window. */
  record(cluster: string, exposition: string, at: Date): void {
    const { samples } = parseExposition(exposition);
    const { frame, history } = frameFromScrape(cluster, samples, at.getTime(), this.#history.get(cluster) ?? [], this.#o.rateWindowMs);
    this.#history.set(cluster, history);
    const frames = this.#frames.get(cluster) ?? [];
    frames.push(frame);
    // By age, and by count too, so that a clock that jumps cannot grow the list.
    const maxFrames = Math.ceil(this.#o.windowMs / this.#o.intervalMs) + 2;
    const oldest = frames.findIndex((f) => frame.at - f.at <= this.#o.windowMs);
    frames.splice(0, Math.max(oldest === -1 ? frames.length - 1 : oldest, frames.length - maxFrames));
    this.#frames.set(cluster, frames);
  }

  /** The four charts of an incident's page, from what was recorded of its cluster. */
  metricsFor(i: Pick<Incident, "cluster" | "namespace" | "workload" | "openedAt" | "resolvedAt">, now: Date = this.#now()): MetricSeries[] {
    return seriesFromFrames(this.#frames.get(i.cluster) ?? [], i, now);
  }

  /** How much is held, per cluster: frames, and counter readings kept for rates. */
  held(): Record<string, { frames: number; readings: number }> {
    return Object.fromEntries([...this.#frames].map(([name, frames]) => [name, { frames: frames.length, readings: this.#history.get(name)?.length ?? 0 }]));
  }

  /** Stops scraping (waiting for a round under way) and drops what was recorded. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#round;
    this.#frames.clear();
    this.#history.clear();
  }
}
