import { readFile } from "node:fs/promises";
import { z } from "zod";
import { parseEndpoints } from "@autodevops/shared";
import { DEFAULT_UPSTREAM_TIMEOUT_MS } from "./http-upstream.js";
import { createUpstreams, type Upstreams } from "./upstreams.js";

/**
 * A server's backends from the environment, for its `main.ts`: `<P>_URL` (a URL, or
 * name=URL,name=URL for one per cluster), `<P>_TOKEN` or `<P>_TOKEN_FILE` (bearer token),
 * `<P>_CA_FILE` (PEM of a private CA, for HTTPS), `<P>_TIMEOUT_MS`. An error names every bad variable.
 */
export async function upstreamsFromEnv(prefix: string, env: NodeJS.ProcessEnv): Promise<Upstreams> {
  const v = (suffix: string) => `${prefix}_${suffix}`;
  const Env = z.object({
    [v("URL")]: z.string({ error: `required: the ${prefix.toLowerCase()} API's base URL, or name=URL,name=URL` }).min(1),
    [v("TOKEN")]: z.string().min(1).optional(),
    [v("TOKEN_FILE")]: z.string().min(1).optional(),
    [v("CA_FILE")]: z.string().min(1).optional(),
    [v("TIMEOUT_MS")]: z.coerce.number({ error: "expected milliseconds" }).int().positive().optional(),
  });
  const parsed = Env.safeParse(env);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n"));
  const e = parsed.data as Record<string, string | number | undefined>;
  const endpoints = parseEndpoints(String(e[v("URL")]), v("URL"));
  if (!endpoints.ok) throw new Error(endpoints.error);
  const read = async (variable: string): Promise<string | undefined> => {
    const file = e[variable];
    if (file === undefined) return undefined;
    try {
      return await readFile(String(file), "utf8");
    } catch (x) {
      throw new Error(`${variable}: cannot read ${String(file)}: ${(x as Error).message}`, { cause: x });
    }
  };
  const token = (e[v("TOKEN")] as string | undefined) ?? (await read(v("TOKEN_FILE")))?.trim();
  const ca = await read(v("CA_FILE"));
  return createUpstreams(endpoints.value, { token, ca, timeoutMs: (e[v("TIMEOUT_MS")] as number | undefined) ?? DEFAULT_UPSTREAM_TIMEOUT_MS });
}
