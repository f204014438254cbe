import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { verifyPassword } from "./passwords.js";

const CLI = fileURLToPath(new URL("./hash-password-cli.ts", import.meta.url));

function run(stdin: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ["--import", "tsx", CLI], (e, stdout, stderr) => resolve({ code: e ? Number(e.code ?? 1) : 0, stdout, stderr }));
    child.stdin?.end(stdin);
  });
}

describe("npm run hash-password", () => {
  it("prints a hash that the portal's sign-in accepts for that password and no other", async () => {
    const r = await run("correct horse battery\n");
    expect(r.code).toBe(0);
    const hash = r.stdout.trim();
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batter", hash)).toBe(false);
  }, 20_000);

  it("refuses a password shorter than 8 characters", async () => {
    const r = await run("short\n");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/at least 8 characters/);
  }, 20_000);
});
