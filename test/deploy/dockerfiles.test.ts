import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ENV_DOCS } from "@autodevops/shared";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseDockerfile, parseInstructions, type Instruction, type Stage } from "./dockerfile.js";
import { ROOT } from "./manifests.js";

/**
 * The images' Dockerfiles, checked statically (no Docker engine runs here; building them is for
 * CI): multi-stage with `npm ci` in a build stage, pinned bases, a numeric non-root user, a
 * health check, no secrets and no remote ADD, and paths that exist in the build context (the
 * repository root).
 */

const IMAGES = [
  { dockerfile: "apps/scarlet/Dockerfile", workspace: "apps/scarlet" },
  { dockerfile: "apps/jamie/Dockerfile", workspace: "apps/jamie" },
  { dockerfile: "packages/mcp-servers/Dockerfile", workspace: "packages/mcp-servers" },
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

const final = (stages: Stage[]) => {
  const s = stages.at(-1);
  if (!s) throw new Error("no FROM");
  return s;
};
const all = (s: Stage, keyword: string): Instruction[] => s.instructions.filter((i) => i.keyword === keyword);
/** `KEY=value KEY2=value` (ENV's and ARG's form) as pairs. */
const assignments = (ins: Instruction) => ins.words.map((w) => w.split("=", 2) as [string, string | undefined]);

describe.each(IMAGES)("$dockerfile", ({ dockerfile, workspace }) => {
  const stages = parseDockerfile(read(dockerfile));
  const stageNames = new Set(stages.map((s) => s.name).filter(Boolean));
  const last = final(stages);
  const instructions = stages.flatMap((s) => s.instructions);

  it("is multi-stage: `npm ci` in a build stage; the runtime stage copies its result, installs nothing and removes npm", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const builds = stages.slice(0, -1).flatMap((s) => all(s, "RUN")).filter((r) => /\bnpm ci\b/.test(r.args));
    expect(builds.length).toBeGreaterThan(0);
    const lastRuns = all(last, "RUN").map((r) => r.args);
    expect(lastRuns.filter((r) => /\b(npm (ci|install|i)|yarn (install|add)|pnpm (install|add)|apt-get install|apk add)\b/.test(r))).toEqual([]);
    expect(all(last, "COPY").filter((c) => stageNames.has(c.flags.from)).length).toBeGreaterThan(0);
    expect(lastRuns.join("\n")).toMatch(/rm -rf[^\n]*\/usr\/local\/bin\/npm\b/);
  });

  it("pins every base image to an exact version tag (or a digest) of Node's major version", () => {
    const bases = stages.map((s) => s.base).filter((b) => !stageNames.has(b));
    expect(bases.length).toBeGreaterThan(0);
    for (const b of bases) {
      expect(b).toMatch(/^[\w./-]+(:\d+\.\d+\.\d+[\w.-]*)?(@sha256:[a-f0-9]{64})?$/);
      expect(b).toMatch(/:\d+\.\d+\.\d+|@sha256:/);
      expect(b.split(":")[1]?.split(".")[0], b).toBe(process.versions.node.split(".")[0]);
    }
  });

  it("runs as a numeric non-root user in the runtime stage", () => {
    const user = all(last, "USER").at(-1)?.words[0];
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user?.split(":")[0])).toBeGreaterThan(0);
  });

  it("has a HEALTHCHECK in the runtime stage that asks the exposed port's /healthz", () => {
    const check = all(last, "HEALTHCHECK").at(-1);
    expect(check?.words).toBeDefined();
    expect(check?.args).not.toMatch(/^NONE/i);
    const port = all(last, "EXPOSE").at(-1)?.words[0];
    expect(port).toMatch(/^\d+$/);
    expect(check?.words.join(" ")).toContain(`http://127.0.0.1:${port}/healthz`);
  });

  it("fetches nothing by ADD and bakes in no secret: ARG and ENV set only non-secret variables", () => {
    expect(instructions.filter((i) => i.keyword === "ADD")).toEqual([]);
    const names = instructions.filter((i) => i.keyword === "ENV" || i.keyword === "ARG").flatMap((i) => assignments(i).map(([k]) => k));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => /token|secret|password|passwd|api_?key|private|credential/i.test(n))).toEqual([]);
    for (const n of names.filter((x) => x in ENV_DOCS)) expect(ENV_DOCS[n as keyof typeof ENV_DOCS].secret, n).toBe(false);
  });

  it("copies only paths of the build context that exist, every workspace's package.json before npm ci, and installs its own workspace", () => {
    for (const c of instructions.filter((i) => i.keyword === "COPY" && !("from" in i.flags))) {
      for (const src of c.words.slice(0, -1)) expect(existsSync(path.join(ROOT, src)), `COPY ${src} (line ${c.line})`).toBe(true);
    }
    for (const s of stages) {
      const ci = s.instructions.findIndex((i) => i.keyword === "RUN" && /\bnpm ci\b/.test(i.args));
      if (ci < 0) continue;
      // The stage's own copies and those of the stage it builds on, before `npm ci`.
      const parent = stages.find((p) => p.name === s.base);
      const before = [...(parent?.instructions ?? []), ...s.instructions.slice(0, ci)].filter((i) => i.keyword === "COPY").flatMap((i) => i.words.slice(0, -1));
      for (const manifest of ["package.json", "package-lock.json", ...workspaceManifests()]) expect(before, `${s.name}: ${manifest}`).toContain(manifest);
      const own = PackageJson.parse(JSON.parse(read(`${workspace}/package.json`))).name;
      expect(s.instructions[ci]?.args).toContain(`--workspace ${own}`);
    }
  });

  it("starts an entry point that exists, listening on all interfaces on the exposed port", () => {
    const workdir = all(last, "WORKDIR").at(-1)?.words[0] ?? "/";
    const command = [...(all(last, "ENTRYPOINT").at(-1)?.words ?? []), ...(all(last, "CMD").at(-1)?.words ?? [])];
    expect(command[0]).toBe("node");
    const script = command.find((w) => /\.(ts|mjs|js)$/.test(w));
    expect(script).toBeDefined();
    const inImage = path.posix.resolve(workdir, script ?? "");
    expect(inImage.startsWith("/app/")).toBe(true);
    expect(existsSync(path.join(ROOT, inImage.slice("/app/".length))), inImage).toBe(true);
    const port = all(last, "EXPOSE").at(-1)?.words[0] ?? "";
    const env = Object.fromEntries(all(last, "ENV").flatMap(assignments));
    if (command.includes("--http")) expect(command).toContain(`0.0.0.0:${port}`);
    else {
      expect(env.BIND_HOST).toBe("0.0.0.0");
      expect(Object.entries(env).filter(([k]) => /^(SCARLET|JAMIE)_PORT$/.test(k)).map(([, v]) => v)).toEqual([port]);
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
