import { fstatSync } from "node:fs";

/**
 * Calls `stop` when the process that started this one goes away, if it left us a way to tell: a
 * stdin pipe it never writes (npm start's supervisor, the tests) closes when it dies; a process
 * reparented without the pipe saying so is caught by its parent id changing. A container's stdin
 * is /dev/null or a terminal, not a pipe: there the process runs until it is signalled.
 * Returns whether it watches.
 */
export function stopWithParent(stop: (why: string) => void): boolean {
  if (!stdinIsPipe()) return false;
  const gone = () => stop("the supervisor went away");
  process.stdin.on("end", gone);
  process.stdin.on("close", gone);
  process.stdin.resume();
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) gone();
  }, 2000).unref();
  return true;
}

function stdinIsPipe(): boolean {
  try {
    const s = fstatSync(0);
    return s.isFIFO() || s.isSocket();
  } catch {
    return false;
  }
}
