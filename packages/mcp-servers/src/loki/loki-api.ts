import { z } from "zod";
import { ToolError } from "../core/tool-error.js";
import { describeUpstreamError, type HttpUpstream } from "../upstream/http-upstream.js";

/** Loki's query API: the shapes the tools read, and its refusals (plain-text 400s) as tool errors. */

const Labels = z.record(z.string(), z.string());
export const StreamsData = z.object({
  resultType: z.literal("streams"),
  result: z.array(z.object({ stream: Labels, values: z.array(z.tuple([z.string(), z.string()])) })),
});
export const MatrixData = z.object({
  resultType: z.literal("matrix"),
  result: z.array(z.object({ metric: Labels, values: z.array(z.tuple([z.number(), z.string()])) })),
});
export const QueryRangeData = z.discriminatedUnion("resultType", [StreamsData, MatrixData]);
export const StringList = z.array(z.string());

const Envelope = z.object({ status: z.string(), data: z.unknown().optional() });

export async function lokiGet<S extends z.ZodType>(
  upstream: HttpUpstream,
  path: string,
  params: Record<string, string | number | undefined>,
  schema: S,
  signal: AbortSignal,
): Promise<z.output<S>> {
  const r = await upstream.getJson(`${apiPrefix(upstream.baseUrl)}${path}`, params, signal);
  if (!r.ok) {
    // Loki answers a bad query with 400 and its parser's message as plain text.
    if (r.error.code === "http" && r.error.status === 400) throw new ToolError(`Loki refused the query: ${r.error.body.trim().slice(0, 2000)}`);
    throw new ToolError(describeUpstreamError("Loki", upstream, r.error));
  }
  const env = Envelope.safeParse(r.value);
  if (!env.success || env.data.status !== "success") throw new ToolError(`Loki (${upstream.baseUrl}) sent an answer that is not the API's shape; is the URL Loki's base URL?`);
  const data = schema.safeParse(env.data.data);
  if (!data.success) throw new Error(`unexpected Loki ${path} data: ${data.error.message.slice(0, 500)}`);
  return data.data;
}

/**
 * Loki serves its API under /loki/api/v1; a base URL that already ends in /loki (a gateway's
 * path, the sandbox's https://<api-server>/loki) gets only /api/v1 after it.
 */
export const apiPrefix = (baseUrl: string): string => (new URL(baseUrl).pathname.replace(/\/+$/, "").endsWith("/loki") ? "/api/v1" : "/loki/api/v1");

/** Unix nanoseconds, as Loki takes times. */
export const lokiTime = (ms: number): string => (BigInt(Math.round(ms)) * 1_000_000n).toString();
