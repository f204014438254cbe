import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createLogger } from "@autodevops/shared";
import { createApiServer } from "../api/api-server.js";
import { MutationLog } from "../api/mutation-log.js";
import { makeServingCertificate } from "../api/tls.js";
import type { SimCluster } from "../cluster.js";
import { ContainerLogs } from "../runtime/container-logs.js";
import { ClusterStore } from "../store/cluster-store.js";

const run = promisify(execFile);

export interface ApiFixtureOptions {
  /** The cluster to serve; default: an empty store. */
  cluster?: SimCluster;
  mutations?: MutationLog;
  /** The namespace kubectl uses when none is given. */
  defaultNamespace?: string;
}

/** A cluster's API server on a free port (an empty store unless one is given), and a kubeconfig for it. */
export async function startApiFixture(opts: ApiFixtureOptions = {}) {
  const store = opts.cluster?.store ?? new ClusterStore({ now: () => new Date(), newUid: randomUUID, randomSuffix: () => randomUUID().slice(0, 5) });
  const logs = opts.cluster?.logs ?? new ContainerLogs();
  const mutations = opts.mutations ?? new MutationLog();
  const tls = await makeServingCertificate(new Date());
  const tokens = { admin: `admin-${randomUUID()}`, scarlet: `scarlet-${randomUUID()}` };
  const server = createApiServer({ cluster: opts.cluster ?? { name: "prod", store, logs }, tokens, mutations, tls, log: createLogger({ service: "sandbox-test", level: "silent" }) });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = await mkdtemp(path.join(tmpdir(), "sandbox-api-"));
  const kubeconfig = path.join(dir, "kubeconfig");
  await writeFile(
    kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "prod", cluster: { server: url, "certificate-authority-data": Buffer.from(tls.cert).toString("base64") } }],
      users: [
        { name: "admin", user: { token: tokens.admin } },
        { name: "scarlet", user: { token: tokens.scarlet } },
        { name: "stranger", user: { token: "not-a-token" } },
      ],
      contexts: ["admin", "scarlet", "stranger"].map((user) => ({
        name: user === "admin" ? "prod" : `${user}@prod`,
        context: { cluster: "prod", user, ...(opts.defaultNamespace ? { namespace: opts.defaultNamespace } : {}) },
      })),
      "current-context": "prod",
    }),
    { mode: 0o600 },
  );
  /** Runs the machine's kubectl; resolves with its output, rejects with its stderr. */
  const kubectl = async (args: string[], opts: { input?: string } = {}) => {
    const child = run("kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", path.join(dir, "cache"), ...args], { timeout: 30_000 });
    if (opts.input !== undefined) {
      child.child.stdin?.end(opts.input);
    }
    const { stdout } = await child;
    return stdout;
  };
  return {
    store,
    logs,
    mutations,
    tokens,
    url,
    kubeconfig,
    tls,
    kubectl,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
export type ApiFixture = Awaited<ReturnType<typeof startApiFixture>>;
