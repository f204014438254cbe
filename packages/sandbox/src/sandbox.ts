import { randomBytes, randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Logger } from "@autodevops/shared";
import { createApiServer } from "./api/api-server.js";
import { MutationLog } from "./api/mutation-log.js";
import { makeServingCertificate } from "./api/tls.js";
import type { SimCluster } from "./cluster.js";
import { clusterInfo } from "./control/cluster-info.js";
import { createControlServer } from "./control/control-server.js";
import { createDefaultBehaviour, NodeHealthBoard, startControllers } from "./controllers/index.js";
import { applyEstate } from "./estate/apply-estate.js";
import { buildEstate } from "./estate/build-estate.js";
import { CLUSTER_NAMES, type ClusterName } from "./estate/cluster-name.js";
import { resetCluster } from "./estate/reset-cluster.js";
import { FaultRegistry } from "./faults/fault-registry.js";
import { handleFaultRequest } from "./faults/fault-routes.js";
import { ADMIN_USER, contextName, writeKubeconfig } from "./kubeconfig.js";
import { ContainerLogs } from "./runtime/container-logs.js";
import { ClusterStore } from "./store/cluster-store.js";
import { serviceStates, takeSnapshot } from "./telemetry/cluster-snapshot.js";
import { SandboxTelemetry } from "./telemetry/index.js";
import { TraceRing } from "./tempo/trace-generator.js";

export interface SandboxOptions {
  /** Where the kubeconfig is written (`<dataDir>/sandbox/kubeconfig`). */
  dataDir: string;
  host: string;
  /** The control API's port; the clusters' API servers take the next ones (prod +1, staging +2). 0: any free ports. */
  controlPort: number;
  log: Logger;
}

export interface RunningCluster extends SimCluster {
  apiServer: string;
  context: string;
}

export interface RunningSandbox {
  controlUrl: string;
  kubeconfig: string;
  clusters: RunningCluster[];
  tokens: { admin: string; scarlet: string; jamie: string };
  mutations: MutationLog;
  telemetry: SandboxTelemetry;
  faults: FaultRegistry;
  stop(): Promise<void>;
}

const SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
/** Five characters from the alphabet Kubernetes uses for generated names. */
function randomSuffix(): string {
  return [...randomBytes(5)].map((b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join("");
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Starts both simulated clusters (store, controllers, API server, baseline estate) and the control API. */
export async function startSandbox(opts: SandboxOptions): Promise<RunningSandbox> {
  const { log } = opts;
  const now = () => new Date();
  const tls = await makeServingCertificate(now());
  const tokens = { admin: randomBytes(24).toString("base64url"), scarlet: randomBytes(24).toString("base64url"), jamie: randomBytes(24).toString("base64url") };
  const mutations = new MutationLog();
  const servers: Server[] = [];
  const stops: Array<() => void | Promise<void>> = [];
  const clusters: RunningCluster[] = [];
  const sims: SimCluster[] = CLUSTER_NAMES.map((name) => ({
    name,
    store: new ClusterStore({ now, newUid: randomUUID, randomSuffix }),
    logs: new ContainerLogs(),
  }));
  // One telemetry for the sandbox's lifetime: its counters must survive resets, as Prometheus expects.
  const telemetry = new SandboxTelemetry({ clusters: sims, now, seed: 1 });
  const faults = new FaultRegistry({ mutations, now, newId: () => randomUUID().slice(0, 8), log });
  telemetry.modifiers.addSource((cluster, service) => faults.modifierOf(cluster, service));
  try {
    for (const [i, cluster] of sims.entries()) {
      const { name } = cluster;
      // Shared with the fault registry: node faults act on what the kubelets report.
      const nodeHealth = new NodeHealthBoard();
      const controllers = startControllers({
        cluster,
        log: log.child({ cluster: name }),
        nodeHealth,
        behaviour: faults.behaviour(createDefaultBehaviour({ random: Math.random })),
      });
      faults.addCluster({ name, store: cluster.store, nodeHealth });
      stops.push(() => controllers.stop());
      // Traces come from the same traffic model and fault modifiers as the metrics.
      const traces = new TraceRing({
        cluster: name,
        seed: 1 + i,
        services: () => serviceStates(takeSnapshot(cluster.store)),
        modifierOf: (service) => telemetry.modifiers.modifierOf(name, service),
      });
      const api = createApiServer({ cluster, tokens, mutations, tls, log, metrics: () => telemetry.render(name), traces });
      servers.push(api);
      const port = await listen(api, opts.controlPort === 0 ? 0 : opts.controlPort + 1 + i, opts.host);
      const host = opts.host === "0.0.0.0" ? "127.0.0.1" : opts.host;
      clusters.push({ ...cluster, apiServer: `https://${host}:${port}`, context: contextName(ADMIN_USER, name) });
    }
    await Promise.all(clusters.map((c) => applyEstate(c.store, buildEstate(c.name as ClusterName, now()))));
    faults.start();
    stops.push(() => faults.stop());
    const kubeconfig = await writeKubeconfig(path.join(opts.dataDir, "sandbox", "kubeconfig"), {
      clusters: clusters.map((c) => ({ name: c.name, server: c.apiServer, certificateAuthority: tls.cert })),
      users: [
        { name: ADMIN_USER, token: tokens.admin },
        { name: "scarlet", token: tokens.scarlet },
        // Jamie's read-only identity: its contexts are jamie@<cluster>.
        { name: "jamie", token: tokens.jamie },
      ],
    });
    const control = createControlServer({
      kubeconfigPath: kubeconfig,
      clusters: clusters.map((c) => clusterInfo({ name: c.name, context: c.context, apiServer: c.apiServer })),
      mutations,
      handleFaults: (req, res, url) => handleFaultRequest(req, res, url, faults),
      reset: async () => {
        faults.clearAll();
        await Promise.all(clusters.map((c) => resetCluster(c.store, c.name as ClusterName, { now: now() })));
        telemetry.modifiers.clearModifiers();
        mutations.clear();
      },
      log,
    });
    servers.push(control);
    const controlPort = await listen(control, opts.controlPort, opts.host);
    const controlUrl = `http://${opts.host === "0.0.0.0" ? "127.0.0.1" : opts.host}:${controlPort}`;
    log.info({ controlUrl, kubeconfig, clusters: clusters.map((c) => `${c.name}=${c.apiServer}`).join(" ") }, "sandbox ready");
    return {
      controlUrl,
      kubeconfig,
      clusters,
      tokens,
      mutations,
      telemetry,
      faults,
      stop: async () => {
        for (const stop of stops) await stop();
        await Promise.all(servers.map(close));
      },
    };
  } catch (e) {
    for (const stop of stops) await stop();
    await Promise.all(servers.filter((s) => s.listening).map(close));
    throw e;
  }
}
