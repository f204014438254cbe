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
import { createDefaultBehaviour, NodeHealthBoard, startControllers } from "../controllers/index.js";
import type { ContainerStatus, Pod } from "../controllers/kube-shapes.js";
import { nameSuffix } from "../controllers/pod-creation.js";
import { waitFor } from "../controllers/test-cluster.js";
import { applyEstate } from "../estate/apply-estate.js";
import { buildEstate } from "../estate/build-estate.js";
import { ContainerLogs } from "../runtime/container-logs.js";
import { ClusterStore } from "../store/cluster-store.js";
import { FaultRegistry } from "./fault-registry.js";
import { livePods } from "./workload-state.js";

const run = promisify(execFile);

/**
 * The prod estate on a real store with running controllers whose containers consult a fault
 * registry, and an API server in front of it, so that the fixes a test makes with kubectl land
 * in the mutation log under the user who made them (`admin`, or Scarlet's service account).
 */
export async function startFaultCluster() {
  const log = createLogger({ service: "sandbox-faults-test", level: "silent" });
  const store = new ClusterStore({ now: () => new Date(), newUid: randomUUID, randomSuffix: () => nameSuffix(Math.random) });
  const cluster: SimCluster = { name: "prod", store, logs: new ContainerLogs() };
  const mutations = new MutationLog();
  const registry = new FaultRegistry({ mutations, now: () => new Date(), newId: () => randomUUID().slice(0, 8), log });
  const nodeHealth = new NodeHealthBoard();
  const controllers = startControllers({ cluster, log, behaviour: registry.behaviour(createDefaultBehaviour({ random: Math.random })), nodeHealth });
  registry.addCluster({ name: "prod", store, nodeHealth });
  registry.start();

  const tls = await makeServingCertificate(new Date());
  const tokens = { admin: `admin-${randomUUID()}`, scarlet: `scarlet-${randomUUID()}` };
  const server = createApiServer({ cluster, tokens, mutations, tls, log });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = await mkdtemp(path.join(tmpdir(), "sandbox-faults-"));
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
      ],
      contexts: [
        { name: "prod", context: { cluster: "prod", user: "admin", namespace: "shop" } },
        { name: "scarlet@prod", context: { cluster: "prod", user: "scarlet", namespace: "shop" } },
      ],
      "current-context": "prod",
    }),
    { mode: 0o600 },
  );

  await applyEstate(store, buildEstate("prod", new Date()));
  await waitFor("every shop Deployment rolled out", () => store.list("apps/deployments", { namespace: "shop" }).items.every((d) => rolledOut(store, "shop", d.metadata.name)), 30_000);

  /** Runs kubectl as admin (default) or as Scarlet; resolves with its output. */
  const kubectl = async (args: string[], as: "admin" | "scarlet" = "admin") => {
    const context = as === "admin" ? "prod" : "scarlet@prod";
    const { stdout } = await run("kubectl", ["--kubeconfig", kubeconfig, "--context", context, "--cache-dir", path.join(dir, "cache"), ...args], { timeout: 30_000 });
    return stdout;
  };

  return {
    store,
    logs: cluster.logs,
    mutations,
    registry,
    nodeHealth,
    controllers,
    kubectl,
    /** The fault as the registry lists it now. */
    fault: (id: string) => registry.list().find((f) => f.id === id),
    /** The first container's status of each live pod of a workload. */
    statuses: (workload: string, namespace = "shop"): { pod: Pod; status: ContainerStatus | undefined }[] =>
      livePods(store, namespace, workload).map((pod) => ({ pod, status: pod.status?.containerStatuses?.[0] })),
    rolledOut: (name: string, namespace = "shop") => rolledOut(store, namespace, name),
    close: async () => {
      registry.stop();
      controllers.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
export type FaultTestCluster = Awaited<ReturnType<typeof startFaultCluster>>;

/** A Deployment whose every replica is updated and available, and no old pod is left. */
function rolledOut(store: ClusterStore, namespace: string, name: string): boolean {
  const d = store.get("apps/deployments", namespace, name);
  if (!d) return false;
  const want = Number(d.spec?.replicas ?? 1);
  const s = (d.status ?? {}) as Record<string, number | undefined>;
  return (
    s.observedGeneration === d.metadata.generation &&
    (s.updatedReplicas ?? 0) === want &&
    (s.availableReplicas ?? 0) === want &&
    (s.replicas ?? 0) === want &&
    livePods(store, namespace, name).length === want
  );
}
