// Test support (not a test): the whole sandbox on free ports, and the kubernetes server pointed at it.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { createLogger, generatePolicyKeys, signDecision, type Action } from "@autodevops/shared";
import { startSandbox, type RunningSandbox } from "@autodevops/sandbox";
import type { ServerSpec } from "../core/create-server.js";
import { clustersFromKubeconfig } from "./clusters.js";
import { kubernetesServer } from "./server.js";

export const SCARLET_USER = "system:serviceaccount:autodevops:scarlet";
export const SCARLET_CONTEXTS = { prod: "scarlet@prod", staging: "scarlet@staging" };

export type K8sFixture = Awaited<ReturnType<typeof startK8sFixture>>;

/** A sandbox, a policy key pair, and kubernetes server specs as Scarlet's identity (and the admin's) see it. */
export async function startK8sFixture() {
  const dataDir = await mkdtemp(path.join(tmpdir(), "mcp-k8s-"));
  const sandbox: RunningSandbox = await startSandbox({ dataDir, host: "127.0.0.1", controlPort: 0, log: createLogger({ service: "sandbox-test", level: "silent" }) });
  const keys = generatePolicyKeys();
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(sandbox.kubeconfig);
  /** The server as Scarlet runs it: scarlet@ contexts, the policy public key. */
  const spec = (opts: { contexts?: Record<string, string>; policyPublicKeyPem?: string | undefined; now?: () => Date } = {}): ServerSpec =>
    kubernetesServer({
      clusters: clustersFromKubeconfig(kc, "contexts" in opts ? opts.contexts : SCARLET_CONTEXTS),
      policyPublicKeyPem: "policyPublicKeyPem" in opts ? opts.policyPublicKeyPem : keys.publicKeyPem,
      ...(opts.now ? { now: opts.now } : {}),
    });
  const admin = new k8s.KubeConfig();
  admin.loadFromFile(sandbox.kubeconfig);
  admin.setCurrentContext("prod");
  const sign = (action: Action, opts: { privateKeyPem?: string; now?: Date; ttlSeconds?: number } = {}) =>
    signDecision(opts.privateKeyPem ?? keys.privateKeyPem, { action, route: "auto", incidentId: "inc-test" }, { ...(opts.now ? { now: opts.now } : {}), ...(opts.ttlSeconds ? { ttlSeconds: opts.ttlSeconds } : {}) });
  const reset = async () => {
    const r = await fetch(`${sandbox.controlUrl}/sandbox/reset`, { method: "POST" });
    if (!r.ok) throw new Error(`sandbox reset: ${r.status} ${await r.text()}`);
  };
  return {
    sandbox,
    dataDir,
    keys,
    spec,
    sign,
    reset,
    adminCore: admin.makeApiClient(k8s.CoreV1Api),
    adminApps: admin.makeApiClient(k8s.AppsV1Api),
    adminPolicy: admin.makeApiClient(k8s.PolicyV1Api),
    /** Mutations that changed something (dry runs are never recorded). */
    changes: (since?: Date) => sandbox.mutations.since(since),
  };
}

export { eventually } from "@autodevops/shared/testing";
