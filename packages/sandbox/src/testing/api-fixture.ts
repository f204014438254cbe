import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createLogger } from "@autodevops/shared";
import { createApiServer } from "../api/api-server.js";
import { MutationLog } from "../api/mutation-log.js";
import { makeServingCertificate } from "../api/tls.js";
import { ContainerLogs } from "../runtime/container-logs.js";
import { ClusterStore } from "../store/cluster-store.js";

const run = promisify(execFile);

/** A cluster's API server on a free port with an empty store, and a kubeconfig for it. */
export async function startApiFixture() {
  const store = new ClusterStore({ now: () => new Date(), newUid: randomUUID, randomSuffix: () => randomUUID().slice(0, 5) });
  const logs = new ContainerLogs();
  const mutations = new MutationLog();
  const tls = await makeServingCertificate(new Date());
  const tokens = { admin: `admin-${randomUUID()}`, scarlet: `scarlet-${randomUUID()}` };
  const server = createApiServer({ cluster: { name: "prod", store, logs }, tokens, mutations, tls, log: createLogger({ service: "sandbox-test", level: "silent" }) });
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
      contexts: [
        { name: "prod", context: { cluster: "prod", user: "admin" } },
        { name: "scarlet@prod", context: { cluster: "prod", user: "scarlet" } },
        { name: "stranger@prod", context: { cluster: "prod", user: "stranger" } },
      ],
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
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
export type ApiFixture = Awaited<ReturnType<typeof startApiFixture>>;
