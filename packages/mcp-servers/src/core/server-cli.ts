import { z } from "zod";
import { createLogger, type Logger } from "@autodevops/shared";
import type { ServerSpec } from "./create-server.js";
import { createMcpServer } from "./create-server.js";
import { serveHttp, serveStdio } from "./transports.js";

/** `--http 7101`, `--http :7101` or `--http 0.0.0.0:7101`; stdio without it. */
const HttpAddress = z
  .string()
  .regex(/^(?:([\w.-]*):)?(\d{1,5})$/, "expected --http [host:]port, e.g. --http :7101")
  .transform((s) => {
    const m = /^(?:([\w.-]*):)?(\d{1,5})$/.exec(s);
    return { host: m?.[1] || "127.0.0.1", port: Number(m?.[2]) };
  });

export type CliOptions = { http?: { host: string; port: number } };

/** Reads the command line; a bad one is an error message naming the fix. */
export function parseServerArgs(argv: readonly string[]): { ok: true; value: CliOptions } | { ok: false; message: string } {
  const out: CliOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--stdio") continue;
    if (arg === "--http" || arg?.startsWith("--http=")) {
      const value = arg === "--http" ? argv[++i] : arg.slice("--http=".length);
      const parsed = HttpAddress.safeParse(value ?? "");
      if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? "bad --http" };
      out.http = parsed.data;
      continue;
    }
    return { ok: false, message: `unknown argument ${arg}; usage: [--stdio | --http [host:]port]` };
  }
  return { ok: true, value: out };
}

/**
 * The entry point of each server's binary: builds the spec from the environment, then serves it
 * over stdio (the default, for desktop hosts) or Streamable HTTP. Logs go to stderr, since stdout
 * carries the protocol. `MCP_HTTP_TOKEN` makes the HTTP endpoint require a bearer token.
 */
export async function runServerCli(build: (log: Logger) => Promise<ServerSpec> | ServerSpec, argv = process.argv.slice(2), env = process.env): Promise<void> {
  const log = createLogger({ service: "mcp-server", level: (env.LOG_LEVEL as "info" | undefined) ?? "info", destination: process.stderr });
  const args = parseServerArgs(argv);
  if (!args.ok) {
    process.stderr.write(`${args.message}\n`);
    process.exit(2);
  }
  let spec: ServerSpec;
  try {
    spec = await build(log);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
  const opts = { log };
  if (args.value.http) {
    const running = await serveHttp(() => createMcpServer(spec, opts), { ...args.value.http, bearerToken: env.MCP_HTTP_TOKEN, log });
    log.info({ server: spec.name, url: running.url, tools: spec.tools.length }, "MCP server listening");
    const stop = () => void running.close().then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  } else {
    await serveStdio(createMcpServer(spec, opts));
  }
}
