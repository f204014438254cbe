import { spawn } from "node:child_process";
import { readdir, readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "@autodevops/shared";

/** apps/jamie: where next.config.mjs, app/ and the .next build live. */
export const JAMIE_APP_DIR = fileURLToPath(new URL("../../", import.meta.url));

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? await newestMtime(p) : (await stat(p)).mtimeMs);
  }
  return newest;
}

/** Whether the pages' build is missing or older than their sources. */
export async function buildIsStale(appDir = JAMIE_APP_DIR): Promise<boolean> {
  const built = await stat(path.join(appDir, ".next", "BUILD_ID")).catch(() => undefined);
  if (!built) return true;
  const sources = Math.max(await newestMtime(path.join(appDir, "app")), (await stat(path.join(appDir, "next.config.mjs"))).mtimeMs);
  return sources > built.mtimeMs;
}

/** Runs `next build` for the pages (about a minute on two cores), logging its output. */
export async function buildPages(log: Logger, appDir = JAMIE_APP_DIR): Promise<void> {
  const bin = path.join(path.dirname(createRequire(import.meta.url).resolve("next/package.json")), "dist", "bin", "next");
  log.info({ appDir }, "building the portal's pages (next build)");
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "build"], { cwd: appDir, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" }, stdio: ["ignore", "pipe", "pipe"] });
    const tail: string[] = [];
    const keep = (b: Buffer) => tail.push(...b.toString().split("\n").filter(Boolean).slice(-20));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (exit ${code}):\n${tail.slice(-20).join("\n")}`))));
  });
  log.info({ buildId: (await readFile(path.join(appDir, ".next", "BUILD_ID"), "utf8")).trim() }, "portal pages built");
}

type CreateNextServer = (o: { dev: boolean; dir: string; hostname: string; port: number }) => {
  prepare(): Promise<void>;
  getRequestHandler(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
};

/** Next's request handler for the built pages (production mode: no compiling on request). */
export async function pagesHandler(opts: { hostname: string; port: number; log: Logger; appDir?: string }): Promise<(req: IncomingMessage, res: ServerResponse) => Promise<void>> {
  const appDir = opts.appDir ?? JAMIE_APP_DIR;
  if (await buildIsStale(appDir)) await buildPages(opts.log, appDir);
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  // next's server entry is CommonJS (module.exports = createServer): its default export is the function.
  const { default: next } = (await import("next/dist/server/next.js")) as unknown as { default: CreateNextServer };
  const app = next({ dev: false, dir: appDir, hostname: opts.hostname, port: opts.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  return (req, res) => handle(req, res);
}
