import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// ensure-deps.mjs runs in a scratch copy of a workspace layout, with a stand-in for npm (via
// npm_execpath, which npm sets for the scripts it runs) that records how it was called.

const SCRIPT = fileURLToPath(new URL("./ensure-deps.mjs", import.meta.url));
const FAKE_NPM = `
const fs = require("node:fs");
fs.writeFileSync("npm-calls.json", JSON.stringify({ args: process.argv.slice(2), stdinIsNull: fs.fstatSync(0).isCharacterDevice() }));
const status = Number(process.env.FAKE_NPM_STATUS ?? 0);
if (status === 0) { fs.mkdirSync("node_modules", { recursive: true }); fs.writeFileSync("node_modules/.package-lock.json", "{}"); }
process.exit(status);
`;

let root: string;
const past = new Date(Date.now() - 60_000);
const future = new Date(Date.now() + 60_000);

function write(rel: string, content: string, at = past): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), content);
  utimesSync(path.join(root, rel), at, at);
}

function run(env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [path.join(root, "scripts/ensure-deps.mjs")], {
    cwd: root,
    env: { ...process.env, npm_execpath: path.join(root, "fake-npm.cjs"), DATA_DIR: "data", ...env },
    encoding: "utf8",
  });
  const calls = existsSync(path.join(root, "npm-calls.json")) ? JSON.parse(readFileSync(path.join(root, "npm-calls.json"), "utf8")) : undefined;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "ensure-deps-"));
  mkdirSync(path.join(root, "scripts"));
  copyFileSync(SCRIPT, path.join(root, "scripts/ensure-deps.mjs"));
  writeFileSync(path.join(root, "fake-npm.cjs"), FAKE_NPM);
  write("package.json", JSON.stringify({ name: "x", workspaces: ["packages/*", "apps/*"] }));
  write("packages/a/package.json", JSON.stringify({ name: "a" }));
  write("package-lock.json", "{}");
  write("node_modules/.package-lock.json", "{}", new Date());
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("ensure-deps", () => {
  it("does nothing when the install is newer than every manifest", () => {
    expect(run()).toEqual({ status: 0, stdout: "", stderr: "", calls: undefined });
  });

  it("runs npm ci without stdin, saying why, when a workspace package.json changed since the install", () => {
    write("packages/a/package.json", JSON.stringify({ name: "a", version: "2" }), future);
    const result = run();
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("Installing dependencies with npm ci: packages/a/package.json changed since the last install.\n");
    expect(result.calls).toEqual({ args: ["ci", "--no-audit", "--no-fund"], stdinIsNull: true });
  });

  it("installs when package-lock.json is newer than the install", () => {
    write("package-lock.json", "{ }", future);
    expect(run().stdout).toContain("package-lock.json changed since the last install");
  });

  it("installs when node_modules is missing", () => {
    rmSync(path.join(root, "node_modules"), { recursive: true });
    const result = run();
    expect(result.stdout).toContain("node_modules is missing");
    expect(result.calls?.args).toEqual(["ci", "--no-audit", "--no-fund"]);
  });

  it("installs when node_modules exists but npm never finished an install there", () => {
    rmSync(path.join(root, "node_modules/.package-lock.json"));
    expect(run().stdout).toContain("node_modules/.package-lock.json is missing");
  });

  it("exits with npm's status when the install fails", () => {
    rmSync(path.join(root, "node_modules"), { recursive: true });
    const result = run({ FAKE_NPM_STATUS: "3" });
    expect(result.status).toBe(3);
    expect(result.stderr).toContain("npm ci failed (exit code 3)");
  });

  it("does not reinstall under a running supervisor", async () => {
    // A stand-in whose command line names the supervisor's entry, as the real one's does.
    const supervisor = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", "scripts/supervisor/main.ts"], { stdio: "ignore" });
    try {
      write("data/supervisor.lock", JSON.stringify({ pid: supervisor.pid, startedAt: new Date().toISOString() }));
      rmSync(path.join(root, "node_modules"), { recursive: true });
      const result = run();
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`Dependencies need installing (node_modules is missing), but Auto-DevOps is running (pid ${supervisor.pid}). Stop it first.`);
      expect(result.calls).toBeUndefined();
    } finally {
      supervisor.kill();
    }
  });

  it("refuses Node older than 20.19 with a message that says what to install", () => {
    const result = spawnSync(
      process.execPath,
      ["--input-type=module", "-e", `import { nodeVersionProblem } from ${JSON.stringify(SCRIPT)}; console.log(nodeVersionProblem("20.18.3") ?? ""); console.log(nodeVersionProblem("20.19.0") ?? "ok"); console.log(nodeVersionProblem("22.0.0") ?? "ok");`],
      { encoding: "utf8" },
    );
    const [tooOld, ...fine] = result.stdout.trim().split("\n");
    expect(tooOld).toContain("Auto-DevOps needs Node.js 20.19 or newer; this is 20.18.3");
    expect(result.stdout).toContain("Install a current Node.js");
    expect(fine.slice(-2)).toEqual(["ok", "ok"]);
  });
});
