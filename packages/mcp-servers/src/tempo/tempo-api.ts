import { z } from "zod";
import { ToolError } from "../core/tool-error.js";
import { describeUpstreamError, type HttpUpstream } from "../upstream/http-upstream.js";

/** Tempo's query API: search results, and its refusals as tool errors. */

export const SearchData = z.object({
  traces: z
    .array(
      z.object({
        traceID: z.string(),
        rootServiceName: z.string().optional(),
        rootTraceName: z.string().optional(),
        startTimeUnixNano: z.string().optional(),
        durationMs: z.number().optional(),
      }),
    )
    .optional()
    .default([]),
});

/** GET a path; a 404 is `undefined` (an unknown trace), Tempo's 400 a ToolError with its message. */
export async function tempoGet<S extends z.ZodType>(
  upstream: HttpUpstream,
  path: string,
  params: Record<string, string | number | undefined>,
  schema: S,
  signal: AbortSignal,
): Promise<z.output<S> | undefined> {
  const r = await upstream.getJson(path, params, signal);
  if (!r.ok) {
    if (r.error.code === "http" && r.error.status === 404 && path.startsWith("/api/traces/")) return undefined;
    if (r.error.code === "http" && r.error.status === 400) throw new ToolError(`Tempo refused the request: ${r.error.body.trim().slice(0, 2000)}`);
    throw new ToolError(describeUpstreamError("Tempo", upstream, r.error));
  }
  const data = schema.safeParse(r.value);
  if (!data.success) throw new ToolError(`Tempo (${upstream.baseUrl}) sent an answer that is not the API's shape (${data.error.issues[0]?.message ?? "?"}); is the URL Tempo's base URL?`);
  return data.data;
}
