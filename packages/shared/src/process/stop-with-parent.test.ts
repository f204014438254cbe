import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const MODULE = fileURLToPath(new URL("./stop-with-parent.ts", import.meta.url));
// A child that reports whether it watches, then waits; it prints "stopped" when told its parent went.
const CHILD = `
import { stopWithParent } from ${JSON.stringify(MODULE)};
const watching = stopWithParent((why) => { console.log("stopped: " + why); process.exit(0); });
console.log(watching ? "watching" : "not watching");
setTimeout(() => { console.log("still running"); process.exit(0); }, 3000);
`;

function run(stdin: "pipe" | "ignore") {
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", CHILD], { stdio: [stdin, "pipe", "inherit"] });
  let out = "";
  child.stdout?.on("data", (b: Buffer) => (out += b.toString()));
  return { child, output: () => out };
}

const until = async (read: () => string, text: string) => {
  for (let i = 0; i < 100 && !read().includes(text); i++) await new Promise((r) => setTimeout(r, 50));
};

describe("stopWithParent", () => {
  it("stops when the parent's stdin pipe closes", async () => {
    const { child, output } = run("pipe");
    await until(output, "watching");
    child.stdin?.end();
    await once(child, "exit");
    expect(output()).toContain("watching");
    expect(output()).toContain("stopped: the supervisor went away");
    expect(output()).not.toContain("still running");
  }, 15_000);

  it("keeps running with stdin on /dev/null, as in a container", async () => {
    const { child, output } = run("ignore");
    await once(child, "exit");
    expect(output()).toContain("not watching");
    expect(output()).toContain("still running");
    expect(output()).not.toContain("stopped");
  }, 15_000);
});
