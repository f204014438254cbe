import type { Observation } from "../detectors/observations.js";

/** One query or scrape that did not answer: the round goes on without what depended on it. */
export interface TelemetryFailure {
  /** What failed, stable across rounds so repeated failures can be rate-limited: `query:p99`, `scrape:prod`. */
  what: string;
  error: string;
}

/** A round's observations, from every query or scrape that answered. */
export interface TelemetryRound {
  observations: Observation[];
  failures: TelemetryFailure[];
}

/** Where telemetry comes from: Prometheus, or the sandbox's /metrics read directly. */
export interface TelemetrySource {
  readonly kind: "prometheus" | "sandbox-metrics";
  /** Reads everything once; `at` is the round's time (rates from scrapes are taken between rounds). */
  collect(at: Date): Promise<TelemetryRound>;
}

/** The part of `fetch` the sources use, so tests and other HTTP stacks can stand in. */
export type FetchLike = (url: string, init: { headers: Record<string, string>; signal?: AbortSignal; dispatcher?: unknown }) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

export const errorText = (e: unknown): string => {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message;
};
