import { z } from "zod";
import { ToolError } from "../core/tool-error.js";
import { describeUpstreamError, type HttpUpstream } from "../upstream/http-upstream.js";

/** Prometheus's HTTP API v1: the response shapes the tools read, and its errors as tool errors. */

const Labels = z.record(z.string(), z.string());
const Sample = z.tuple([z.number(), z.string()]);

export const VectorResult = z.array(z.object({ metric: Labels, value: Sample }));
export const MatrixResult = z.array(z.object({ metric: Labels, values: z.array(Sample) }));
export const QueryData = z.discriminatedUnion("resultType", [
  z.object({ resultType: z.literal("vector"), result: VectorResult }),
  z.object({ resultType: z.literal("matrix"), result: MatrixResult }),
  z.object({ resultType: z.literal("scalar"), result: Sample }),
  z.object({ resultType: z.literal("string"), result: Sample }),
]);
export type QueryData = z.infer<typeof QueryData>;

export const Alert = z.object({
  labels: Labels,
  annotations: Labels.optional().default({}),
  state: z.string(),
  activeAt: z.string().optional(),
  value: z.string().optional(),
});
export const AlertsData = z.object({ alerts: z.array(Alert) });

export const Rule = z.object({
  type: z.enum(["alerting", "recording"]),
  name: z.string(),
  query: z.string(),
  health: z.string().optional(),
  lastError: z.string().optional(),
  state: z.string().optional(),
  duration: z.number().optional(),
  labels: Labels.optional(),
  annotations: Labels.optional(),
  alerts: z.array(Alert).optional(),
});
export const RulesData = z.object({ groups: z.array(z.object({ name: z.string(), file: z.string(), interval: z.number().optional(), rules: z.array(Rule) })) });

export const Target = z.object({
  labels: Labels,
  scrapePool: z.string(),
  scrapeUrl: z.string(),
  health: z.string(),
  lastError: z.string(),
  lastScrape: z.string(),
  lastScrapeDuration: z.number(),
});
export const TargetsData = z.object({ activeTargets: z.array(Target), droppedTargets: z.array(z.unknown()).optional() });

export const SeriesData = z.array(Labels);
export const StringList = z.array(z.string());

const Envelope = z.object({ status: z.string(), data: z.unknown().optional(), errorType: z.string().optional(), error: z.string().optional(), warnings: z.array(z.string()).optional() });
const ErrorBody = z.object({ status: z.literal("error"), errorType: z.string().optional(), error: z.string() });

export type PromAnswer<T> = { data: T; warnings: string[] };

/**
 * GET one API path and read its `data` with `schema`; Prometheus's own error (bad_data,
 * execution, timeout…) becomes a ToolError with its message, as do transport failures.
 */
export async function promGet<S extends z.ZodType>(
  upstream: HttpUpstream,
  path: string,
  params: Record<string, string | number | undefined | readonly string[]>,
  schema: S,
  signal: AbortSignal,
): Promise<PromAnswer<z.output<S>>> {
  const r = await upstream.getJson(`/api/v1${path}`, params, signal);
  if (!r.ok) {
    if (r.error.code === "http") {
      const body = parseJson(r.error.body);
      const e = ErrorBody.safeParse(body);
      if (e.success) throw new ToolError(`Prometheus refused the request (${e.data.errorType ?? r.error.status}): ${e.data.error}`);
    }
    throw new ToolError(describeUpstreamError("Prometheus", upstream, r.error));
  }
  const env = Envelope.safeParse(r.value);
  if (!env.success) throw new ToolError(`Prometheus (${upstream.baseUrl}) sent an answer that is not the API's shape; is the URL Prometheus's base URL?`);
  if (env.data.status !== "success") throw new ToolError(`Prometheus refused the request (${env.data.errorType ?? "error"}): ${env.data.error ?? "no message"}`);
  const data = schema.safeParse(env.data.data);
  if (!data.success) throw new Error(`unexpected Prometheus ${path} data: ${data.error.message.slice(0, 500)}`);
  return { data: data.data, warnings: env.data.warnings ?? [] };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Unix seconds with millisecond precision, as Prometheus takes times. */
export const promTime = (ms: number): string => (ms / 1000).toFixed(3);
