import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTestDatabase, eventually, type TestDatabase } from "@autodevops/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { startSandboxFixture } from "../sandbox/sandbox-fixture.js";
import { freePort } from "../scarlet/scarlet-fixture.js";
import { find, renderOverlay, ROOT } from "./manifests.js";

/**
 * Scarlet's container as the manifests configure it, run as a process against a sandbox cluster
 * standing in for the cluster it is deployed to: the environment is the ConfigMap's, the
 * kubeconfig is the `autodevops-kubeconfig` ConfigMap's, and the service account's mount
 * (`/var/run/secrets/kubernetes.io/serviceaccount`: token and CA) is a folder holding the
 * sandbox's `scarlet` token and CA. Only what a pod has and a test process cannot (that mount
 * path, the `kubernetes.default.svc` name, the monitoring Services) is redirected.
 */

const SA_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";
const objects = renderOverlay("demo");
const data = (name: string) => z.object({ data: z.record(z.string(), z.string()) }).parse(find(objects, "ConfigMap", name)).data;

let f: Awaited<ReturnType<typeof startSandboxFixture>>;
let db: TestDatabase;
let env: NodeJS.ProcessEnv;
let url: string;
const children: ChildProcess[] = [];

/** `node --import tsx apps/scarlet/src/main.ts`, the image's entry point; stdin as the pod gives it. */
function startScarlet(stdin: "ignore"): { child: ChildProcess; output: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", "apps/scarlet/src/main.ts"], { cwd: ROOT, env, stdio: [stdin, "pipe", "pipe"] });
  children.push(child);
  const output: string[] = [];
  const keep = (b: Buffer) => output.push(...b.toString().split("\n").filter(Boolean));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, output, exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))) };
}

beforeAll(async () => {
  f = await startSandboxFixture();
  db = await createTestDatabase();
  const prod = f.sandbox.clusters.find((c) => c.name === "prod");
  if (!prod) throw new Error("the sandbox has no prod cluster");
  // The service account's mount: the sandbox's token for system:serviceaccount:autodevops:scarlet, and its CA.
  const mount = await mkdtemp(path.join(tmpdir(), "deploy-sa-"));
  const sandboxConfig = z
    .object({ clusters: z.array(z.object({ name: z.string(), cluster: z.object({ "certificate-authority-data": z.string() }).loose() })) })
    .loose()
    .parse(parse(await readFile(f.sandbox.kubeconfig, "utf8")));
  const ca = sandboxConfig.clusters.find((c) => c.name === "prod")?.cluster["certificate-authority-data"] ?? "";
  await writeFile(path.join(mount, "ca.crt"), Buffer.from(ca, "base64"));
  await writeFile(path.join(mount, "token"), f.sandbox.tokens.scarlet);
  const kubeconfig = path.join(mount, "kubeconfig");
  await writeFile(kubeconfig, (data("autodevops-kubeconfig").config ?? "").replaceAll(SA_MOUNT, mount).replace("https://kubernetes.default.svc", prod.apiServer));
  // Leases go in the namespace the Role covers; on a cluster the overlay's Namespace is there first.
  await f.kubectl(["--context", "prod", "create", "namespace", "autodevops"]);
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...data("autodevops-config"),
    KUBECONFIG: kubeconfig,
    // The monitoring Services do not resolve here: unset, Scarlet runs on the watch alone.
    PROMETHEUS_URL: "",
    ALERTMANAGER_URL: "",
    LOKI_URL: "",
    TEMPO_URL: "",
    BIND_HOST: "127.0.0.1",
    SCARLET_PORT: String(port),
    DATA_DIR: mount,
    LOG_LEVEL: "info",
    DATABASE_URL: db.url,
    AUTODEVOPS_APPROVER_TOKEN: randomBytes(18).toString("base64url"),
    AUTODEVOPS_ALERTS_TOKEN: randomBytes(18).toString("base64url"),
    AUTODEVOPS_API_KEY: randomBytes(18).toString("base64url"),
  };
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await f?.sandbox.stop();
  await db?.drop();
});

describe("Scarlet configured as the manifests configure it", () => {
  it("starts in production mode, reaches the cluster as its service account through the in-cluster kubeconfig, and leads through the Lease in its namespace", async () => {
    // stdin on /dev/null, as a container has it: Scarlet runs until it is signalled.
    const scarlet = startScarlet("ignore");
    await eventually(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.ok, `Scarlet ready\n${scarlet.output.slice(-20).join("\n")}`, 90_000, 250);
    const lease = await eventually(
      async () => {
        const out = await f.kubectl(["--context", "prod", "get", "lease", "scarlet-leader", "-n", "autodevops", "-o", "json"]).catch(() => "");
        return out ? z.object({ spec: z.object({ holderIdentity: z.string() }).loose() }).parse(JSON.parse(out)) : undefined;
      },
      "the scarlet-leader Lease",
      30_000,
      500,
    );
    expect(lease.spec.holderIdentity).toMatch(new RegExp(`-${scarlet.child.pid}$`));
    const leaseWrites = f.sandbox.mutations.since().filter((m) => m.resource === "leases");
    expect(leaseWrites.length).toBeGreaterThan(0);
    expect(new Set(leaseWrites.map((m) => `${m.user} ${m.namespace}`))).toEqual(new Set(["system:serviceaccount:autodevops:scarlet autodevops"]));
    const incidents = await fetch(`${url}/api/incidents`);
    expect(incidents.status).toBe(200);
    expect(scarlet.child.exitCode).toBeNull();
    scarlet.child.kill("SIGTERM");
    expect(await scarlet.exited).toBe(0);
    expect(scarlet.output.join("\n")).not.toMatch(/the supervisor went away/);
  });

});
