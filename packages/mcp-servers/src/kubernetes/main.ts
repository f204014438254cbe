// The kubernetes MCP server's binary: configuration from the environment, then stdio or --http.
import { readFile } from "node:fs/promises";
import * as k8s from "@kubernetes/client-node";
import { runServerCli } from "../core/server-cli.js";
import { clustersFromKubeconfig } from "./clusters.js";
import { loadKubernetesConfig } from "./config.js";
import { kubernetesServer } from "./server.js";

await runServerCli(async (log) => {
  const config = loadKubernetesConfig(process.env);
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromFile(config.kubeconfigPath);
  } catch (e) {
    throw new Error(`KUBECONFIG: cannot read ${config.kubeconfigPath}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const clusters = clustersFromKubeconfig(kc, config.contexts);
  const key = config.policyPublicKey;
  let policyPublicKeyPem: string | undefined;
  if (key && "file" in key) {
    try {
      policyPublicKeyPem = await readFile(key.file, "utf8");
    } catch (e) {
      throw new Error(`POLICY_PUBLIC_KEY: neither PEM text nor a readable file (${key.file}): ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  } else policyPublicKeyPem = key?.pem;
  if (!policyPublicKeyPem) log.warn({}, "no POLICY_PUBLIC_KEY: write tools take dry runs only");
  log.info({ kubeconfig: config.kubeconfigPath, clusters: clusters.list().map((c) => `${c.name}=${c.context}`).join(" ") }, "kubernetes clusters configured");
  return kubernetesServer({ clusters, policyPublicKeyPem });
});
