// `npm start`: make sure dependencies are installed, then run the supervisor (TypeScript, through
// tsx) in a child process and pass on its exit status. Plain JavaScript because it runs before
// node_modules (and so tsx) may exist.

import { spawn } from "node:child_process";
import { constants } from "node:os";
import path from "node:path";
import { ensureDeps, REPO_ROOT } from "./ensure-deps.mjs";

const status = ensureDeps(REPO_ROOT);
if (status !== 0) process.exit(status);

const supervisor = spawn(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "scripts/supervisor/main.ts")], {
  cwd: REPO_ROOT,
  stdio: "inherit",
});

// In a terminal, Ctrl-C reaches the supervisor directly too (same process group); it treats a
// repeated signal as one. Forwarding covers `kill <pid>` aimed at this process alone.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (supervisor.exitCode === null && supervisor.signalCode === null) supervisor.kill(signal);
  });
}

supervisor.on("error", (e) => {
  console.error(`Could not start the supervisor: ${e.message}`);
  process.exit(1);
});

supervisor.on("exit", (code, signal) => {
  process.exit(code ?? 128 + (constants.signals[signal] ?? 1));
});
