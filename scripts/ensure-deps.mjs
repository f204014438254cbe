// Installs the dependencies when node_modules is missing or older than the manifests, so that
// `npm start`, `npm test` and `npm run bench` work on a fresh clone and after a pull.
// Plain JavaScript with Node built-ins only: it runs before node_modules exists.

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const MIN_NODE = [20, 19];

/** The repository root (this file lives in <root>/scripts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Returns a message when this Node is too old to run the project, else undefined. */
export function nodeVersionProblem(version = process.versions.node) {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])) return undefined;
  return (
    `Auto-DevOps needs Node.js ${MIN_NODE.join(".")} or newer; this is ${version} (${process.execPath}).\n` +
    "Install a current Node.js 20 or 22 (https://nodejs.org, or `nvm install 20`) and try again."
  );
}

/** The package.json of the root and of every workspace (simple `dir/*` patterns and plain paths). */
function manifests(root) {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  const found = [path.join(root, "package.json")];
  for (const pattern of Array.isArray(pkg.workspaces) ? pkg.workspaces : []) {
    const dirs = pattern.endsWith("/*")
      ? listDirs(path.join(root, pattern.slice(0, -2)))
      : [path.join(root, pattern)];
    for (const dir of dirs) {
      const manifest = path.join(dir, "package.json");
      if (existsSync(manifest)) found.push(manifest);
    }
  }
  return found;
}

function listDirs(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(dir, e.name));
}

/**
 * Why the installed dependencies are out of date, or undefined when they are current.
 * npm writes node_modules/.package-lock.json at the end of every install; a manifest or the
 * lockfile newer than it means they changed since.
 */
export function dependencyProblem(root = REPO_ROOT) {
  const hidden = path.join(root, "node_modules", ".package-lock.json");
  if (!existsSync(path.join(root, "node_modules"))) return "node_modules is missing";
  if (!existsSync(hidden)) return "node_modules was not installed by npm (node_modules/.package-lock.json is missing)";
  const installedAt = statSync(hidden).mtimeMs;
  const inputs = [path.join(root, "package-lock.json"), ...manifests(root)].filter((f) => existsSync(f));
  for (const file of inputs) {
    if (statSync(file).mtimeMs > installedAt) return `${path.relative(root, file)} changed since the last install`;
  }
  return undefined;
}

/**
 * The pid of a supervisor running from this checkout with the default or current DATA_DIR, if
 * any: `npm ci` deletes node_modules first, which would pull it out from under that process.
 */
function runningSupervisor(root) {
  const dataDir = path.resolve(root, process.env.DATA_DIR?.trim() || ".data");
  let pid;
  try {
    pid = JSON.parse(readFileSync(path.join(dataDir, "supervisor.lock"), "utf8")).pid;
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  try {
    // A pid from an old lock may have been reused by anything since.
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("supervisor/main.ts") ? pid : undefined;
  } catch {
    return pid;
  }
}

/**
 * Checks the Node version and installs dependencies with `npm ci` when needed.
 * Returns the exit status to use: 0 when ready, non-zero when the caller must stop.
 */
export function ensureDeps(root = REPO_ROOT) {
  const tooOld = nodeVersionProblem();
  if (tooOld) {
    console.error(tooOld);
    return 1;
  }
  const problem = dependencyProblem(root);
  if (!problem) return 0;
  const running = runningSupervisor(root);
  if (running !== undefined) {
    console.error(`Dependencies need installing (${problem}), but Auto-DevOps is running (pid ${running}). Stop it first.`);
    return 1;
  }
  console.log(`Installing dependencies with npm ci: ${problem}.`);
  // Use the npm that launched us (npm start / npm test) when there is one, else the one on PATH.
  const npmCli = process.env.npm_execpath;
  const [command, args] =
    npmCli && /\.[cm]?js$/.test(npmCli)
      ? [process.execPath, [npmCli, "ci", "--no-audit", "--no-fund"]]
      : ["npm", ["ci", "--no-audit", "--no-fund"]];
  const result = spawnSync(command, args, {
    cwd: root,
    // Nothing is asked of the person; npm must not wait on a prompt.
    stdio: ["ignore", "inherit", "inherit"],
    shell: process.platform === "win32",
  });
  if (result.error) {
    console.error(`Could not run npm: ${result.error.message}`);
    return 1;
  }
  if (result.status !== 0) {
    console.error(`npm ci failed (${result.status === null ? `signal ${result.signal}` : `exit code ${result.status}`}).`);
    return result.status || 1;
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = ensureDeps();
}
