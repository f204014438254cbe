import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ENV_DOCS } from "@autodevops/shared";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseDockerfile, parseInstructions, type Instruction, type Stage } from "./dockerfile.js";
import { ROOT } from "./manifests.js";

/**
 * The images' Dockerfile (one, at the repository root, with a target per image: the workspaces
 * share one lockfile), checked statically — no Docker engine runs here; building is for CI:
 * `npm ci` in build stages, pinned bases, a numeric non-root user, a health check, no secrets
 * and no remote ADD, and paths that exist in the build context.
 */

const TARGETS = [
  { target: "scarlet", workspace: "apps/scarlet" },
  { target: "jamie", workspace: "apps/jamie" },
  { target: "mcp-servers", workspace: "packages/mcp-servers" },
] as const;

const read = (p: string) => readFileSync(path.join(ROOT, p), "utf8");
const PackageJson = z.object({ name: z.string(), workspaces: z.array(z.string()).optional() });

/** Every workspace's package.json, from the root package.json's `workspaces` globs (`packages/*`). */
function workspaceManifests(): string[] {
  const globs = PackageJson.parse(JSON.parse(read("package.json"))).workspaces ?? [];
  return globs
    .flatMap((g) => {
      const dir = g.replace(/\/\*$/, "");
      return readdirSync(path.join(ROOT, dir)).map((d) => `${dir}/${d}/package.json`);
    })
    .filter((p) => existsSync(path.join(ROOT, p)))
    .sort();
}

const stages = parseDockerfile(read("Dockerfile"));
const stageNames = new Set(stages.map((s) => s.name).filter(Boolean));
const stage = (name: string) => {
  const s = stages.find((x) => x.name === name);
  if (!s) throw new Error(`no stage ${name}`);
  return s;
};
/** A stage and the stages it is built FROM, the image's own base first. */
function chain(name: string): Stage[] {
  const out: Stage[] = [];
  for (let s: Stage | undefined = stage(name); s; s = stages.find((x) => x.name === s?.base)) out.unshift(s);
  return out;
}
const all = (ss: Stage[], keyword: string): Instruction[] => ss.flatMap((s) => s.instructions).filter((i) => i.keyword === keyword);
/** `KEY=value KEY2=value` (ENV's and ARG's form) as pairs. */
const assignments = (ins: Instruction) => ins.words.map((w) => w.split("=", 2) as [string, string | undefined]);
const installs = (r: Instruction) => /\bnpm ci\b/.test(r.args);

describe.each(TARGETS)("the $target image", ({ target, workspace }) => {
  const image = chain(target);
  const own = PackageJson.parse(JSON.parse(read(`${workspace}/package.json`))).name;
  /** The stages the image copies from, and theirs. */
  const sourcesOf = (ss: Stage[]): Stage[] => all(ss, "COPY").flatMap((c) => (stageNames.has(c.flags.from) ? chain(c.flags.from ?? "") : []));

  it("is multi-stage: its own workspace installed by `npm ci` in a build stage; the image installs nothing and has no npm", () => {
    const builds = sourcesOf(image);
    expect(builds.length).toBeGreaterThan(0);
    expect(all(builds, "RUN").filter(installs).map((r) => r.args)).toContainEqual(expect.stringContaining(`--omit=dev --ignore-scripts --workspace ${own}`));
    const runs = all(image, "RUN").map((r) => r.args);
    expect(runs.filter((r) => /\b(npm (ci|install|i)|yarn (install|add)|pnpm (install|add)|apt-get install|apk add)\b/.test(r))).toEqual([]);
    expect(runs.join("\n")).toMatch(/rm -rf[^\n]*\/usr\/local\/bin\/npm\b/);
    // Jamie's pages are built (with the dev dependencies) in a stage of their own.
    if (target === "jamie") expect(all(builds, "RUN").map((r) => r.args)).toContainEqual(expect.stringContaining(`npm run build --workspace ${own}`));
  });

  it("runs as a numeric non-root user", () => {
    const user = all(image, "USER").at(-1)?.words[0];
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user?.split(":")[0])).toBeGreaterThan(0);
  });

  it("has a HEALTHCHECK that asks the exposed port's /healthz", () => {
    const check = all(image, "HEALTHCHECK").at(-1);
    expect(check?.args).not.toMatch(/^NONE/i);
    const port = all(image, "EXPOSE").at(-1)?.words[0];
    expect(port).toMatch(/^\d+$/);
    expect(check?.words.join(" ")).toContain(`http://127.0.0.1:${port}/healthz`);
  });

  it("starts an entry point that exists, listening on all interfaces on the exposed port", () => {
    const workdir = all(image, "WORKDIR").at(-1)?.words[0] ?? "/";
    const command = [...(all(image, "ENTRYPOINT").at(-1)?.words ?? []), ...(all(image, "CMD").at(-1)?.words ?? [])];
    expect(command[0]).toBe("node");
    const script = command.find((w) => /\.(ts|mjs|js)$/.test(w));
    expect(script).toBeDefined();
    const inImage = path.posix.resolve(workdir, script ?? "");
    expect(inImage.startsWith(`/app/${workspace}/`), inImage).toBe(true);
    expect(existsSync(path.join(ROOT, inImage.slice("/app/".length))), inImage).toBe(true);
    const port = all(image, "EXPOSE").at(-1)?.words[0] ?? "";
    const env = Object.fromEntries(all(image, "ENV").flatMap(assignments));
    if (command.includes("--http")) expect(command).toContain(`0.0.0.0:${port}`);
    else {
      expect(env.BIND_HOST).toBe("0.0.0.0");
      expect(Object.entries(env).filter(([k]) => /^(SCARLET|JAMIE)_PORT$/.test(k)).map(([, v]) => v)).toEqual([port]);
    }
  });
});

describe("the Dockerfile", () => {
  const instructions = stages.flatMap((s) => s.instructions);

  it("pins every base image to an exact version tag (or a digest) of Node's major version", () => {
    const bases = stages.map((s) => s.base).filter((b) => !stageNames.has(b));
    expect(bases.length).toBeGreaterThan(0);
    for (const b of bases) {
      expect(b).toMatch(/^[\w./-]+(:\d+\.\d+\.\d+[\w.-]*)?(@sha256:[a-f0-9]{64})?$/);
      expect(b).toMatch(/:\d+\.\d+\.\d+|@sha256:/);
      expect(b.split(":")[1]?.split(".")[0], b).toBe(process.versions.node.split(".")[0]);
    }
  });

  it("fetches nothing by ADD and bakes in no secret: ARG and ENV set only non-secret variables", () => {
    expect(instructions.filter((i) => i.keyword === "ADD")).toEqual([]);
    const names = instructions.filter((i) => i.keyword === "ENV" || i.keyword === "ARG").flatMap((i) => assignments(i).map(([k]) => k));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => /token|secret|password|passwd|api_?key|private|credential/i.test(n))).toEqual([]);
    for (const n of names.filter((x) => x in ENV_DOCS)) expect(ENV_DOCS[n as keyof typeof ENV_DOCS].secret, n).toBe(false);
  });

  it("copies only paths of the build context that exist, and every workspace's package.json before each npm ci", () => {
    for (const c of instructions.filter((i) => i.keyword === "COPY" && !("from" in i.flags))) {
      for (const src of c.words.slice(0, -1)) expect(existsSync(path.join(ROOT, src)), `COPY ${src} (line ${c.line})`).toBe(true);
    }
    const withInstall = stages.filter((s) => s.instructions.some(installs));
    expect(withInstall.length).toBeGreaterThanOrEqual(3);
    for (const s of withInstall) {
      const ss = chain(s.name ?? "");
      const own = ss.at(-1)?.instructions ?? [];
      const before = [...ss.slice(0, -1).flatMap((x) => x.instructions), ...own.slice(0, own.findIndex(installs))];
      const copied = before.filter((i) => i.keyword === "COPY").flatMap((i) => i.words.slice(0, -1));
      for (const manifest of ["package.json", "package-lock.json", ...workspaceManifests()]) expect(copied, `${s.name}: ${manifest}`).toContain(manifest);
    }
  });
});

describe(".dockerignore", () => {
  it("keeps local installs, builds, state, git history and credential files out of the build context", () => {
    const lines = read(".dockerignore").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    for (const p of ["**/node_modules", "**/.next", "**/.data", ".git", "**/.env", "**/*.pem", "**/*.key"]) expect(lines).toContain(p);
  });
});

describe("the Dockerfile reader", () => {
  it("joins continuations, drops comments, reads flags and the exec form", () => {
    const ins = parseInstructions(['# syntax=docker/dockerfile:1', "FROM node:20.1.0 AS build", "RUN a \\", "  # a comment inside", "  && b", 'COPY --from=build /app /app', 'CMD ["node", "x.js"]'].join("\n"));
    expect(ins.map((i) => [i.keyword, i.args])).toEqual([
      ["FROM", "node:20.1.0 AS build"],
      ["RUN", "a && b"],
      ["COPY", "--from=build /app /app"],
      ["CMD", '["node", "x.js"]'],
    ]);
    expect(ins[2]?.flags).toEqual({ from: "build" });
    expect(ins[3]?.words).toEqual(["node", "x.js"]);
    expect(() => parseInstructions("RUN a \\")).toThrow(/continuation/);
  });
});
