import { execFileSync } from "node:child_process";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderKubeconfig, writeKubeconfig, type KubeconfigSpec } from "./kubeconfig.js";

const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const SPEC: KubeconfigSpec = {
  clusters: [
    { name: "prod", server: "https://127.0.0.1:17443", certificateAuthority: CA },
    { name: "staging", server: "https://127.0.0.1:17444", certificateAuthority: CA },
  ],
  users: [
    { name: "admin", token: "adm-0f3c9e" },
    // A token with characters YAML would otherwise read specially.
    { name: "scarlet", token: 'sc: #"tok\\en' },
  ],
};

/** kubectl is the real reader of this file; the tests need it on PATH. */
function kubectl(args: string[]): string {
  try {
    return execFileSync("kubectl", args, { encoding: "utf8", timeout: 20_000 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new Error("kubectl is not installed: these tests read the kubeconfig with the real kubectl", { cause: e });
    throw e;
  }
}

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubeconfig-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeKubeconfig", () => {
  it("writes a file kubectl reads, with an admin context per cluster and scarlet's beside them, current context prod", async () => {
    const path = await writeKubeconfig(join(dir, "nested", "kubeconfig"), SPEC);

    expect(kubectl(["--kubeconfig", path, "config", "get-contexts", "-o", "name"]).split("\n").filter(Boolean).sort()).toEqual([
      "prod",
      "scarlet@prod",
      "scarlet@staging",
      "staging",
    ]);
    expect(kubectl(["--kubeconfig", path, "config", "current-context"]).trim()).toBe("prod");

    const view = JSON.parse(kubectl(["--kubeconfig", path, "config", "view", "--raw", "-o", "json"])) as {
      clusters: Array<{ name: string; cluster: { server: string; "certificate-authority-data"?: string } }>;
      contexts: Array<{ name: string; context: { cluster: string; user: string } }>;
      users: Array<{ name: string; user: { token: string } }>;
    };
    expect(view.clusters).toContainEqual({
      name: "staging",
      cluster: { server: "https://127.0.0.1:17444", "certificate-authority-data": Buffer.from(CA).toString("base64") },
    });
    expect(view.contexts).toContainEqual({ name: "staging", context: { cluster: "staging", user: "admin" } });
    expect(view.contexts).toContainEqual({ name: "scarlet@prod", context: { cluster: "prod", user: "scarlet" } });
    expect(view.users).toContainEqual({ name: "scarlet", user: { token: 'sc: #"tok\\en' } });
  });

  it("leaves the file readable by its owner only, also when replacing a world-readable one", async () => {
    const path = join(dir, "kubeconfig");
    await writeFile(path, "old", { mode: 0o644 });
    await writeKubeconfig(path, SPEC);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("refuses a spec without an admin user or with a cluster named twice", () => {
    expect(() => renderKubeconfig({ ...SPEC, users: [{ name: "scarlet", token: "t" }] })).toThrow(/no "admin" user/);
    expect(() => renderKubeconfig({ ...SPEC, clusters: [SPEC.clusters[0] ?? { name: "", server: "", certificateAuthority: CA }, { name: "prod", server: "https://x", certificateAuthority: CA }] })).toThrow(/"prod" is named twice/);
  });
});
