import * as k8s from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { clustersFromKubeconfig } from "./clusters.js";
import { loadKubernetesConfig } from "./config.js";

describe("kubernetes server configuration", () => {
  it("reads the kubeconfig path, the cluster→context map and the policy key as PEM or path", () => {
    expect(loadKubernetesConfig({ HOME: "/home/op" })).toEqual({ kubeconfigPath: "/home/op/.kube/config", contexts: undefined, policyPublicKey: undefined });
    const pem = "-----BEGIN PUBLIC KEY-----\nMCow\n-----END PUBLIC KEY-----";
    expect(loadKubernetesConfig({ KUBECONFIG: "/a/kc:/b/kc", MCP_K8S_CONTEXTS: "prod=scarlet@prod, staging=scarlet@staging", POLICY_PUBLIC_KEY: pem })).toEqual({
      kubeconfigPath: "/a/kc",
      contexts: { prod: "scarlet@prod", staging: "scarlet@staging" },
      policyPublicKey: { pem },
    });
    expect(loadKubernetesConfig({ POLICY_PUBLIC_KEY: "/etc/policy.pem", MCP_K8S_CONTEXTS: "" }).policyPublicKey).toEqual({ file: "/etc/policy.pem" });
  });

  it("names a malformed MCP_K8S_CONTEXTS pair", () => {
    expect(() => loadKubernetesConfig({ MCP_K8S_CONTEXTS: "prod:scarlet@prod" })).toThrow(/MCP_K8S_CONTEXTS: expected cluster=context pairs .* got "prod:scarlet@prod"/);
  });

  it("serves every cluster of the kubeconfig by its name, through the current context's user", () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [
        { name: "prod", server: "https://127.0.0.1:1", skipTLSVerify: false },
        { name: "staging", server: "https://127.0.0.1:2", skipTLSVerify: false },
      ],
      users: [{ name: "scarlet" }, { name: "admin" }],
      contexts: [
        { name: "scarlet@prod", cluster: "prod", user: "scarlet" },
        { name: "scarlet@staging", cluster: "staging", user: "scarlet" },
        { name: "prod", cluster: "prod", user: "admin" },
        { name: "staging", cluster: "staging", user: "admin" },
      ],
      currentContext: "prod",
    });
    expect(clustersFromKubeconfig(kc).list().map((c) => [c.name, c.context, c.server])).toEqual([
      ["prod", "prod", "https://127.0.0.1:1"],
      ["staging", "staging", "https://127.0.0.1:2"],
    ]);
    expect(clustersFromKubeconfig(kc, { live: "scarlet@prod" }).names).toEqual(["live"]);
    expect(() => clustersFromKubeconfig(kc, { prod: "nope" })).toThrow(/names context "nope"/);
    expect(() => clustersFromKubeconfig(kc).get("moon")).toThrow(/unknown cluster "moon": use one of prod, staging/);
  });
});
