import { homedir } from "node:os";
import path from "node:path";
import { z } from "zod";

/** `prod=scarlet@prod,staging=scarlet@staging`: the kubeconfig context each cluster name uses. */
const ContextMap = z
  .string()
  .transform((s, ctx) => {
    const out: Record<string, string> = {};
    for (const pair of s.split(",").map((p) => p.trim()).filter(Boolean)) {
      const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)=(\S+)$/.exec(pair);
      if (!m?.[1] || !m[3]) {
        ctx.addIssue({ code: "custom", message: `expected cluster=context pairs separated by commas (e.g. prod=scarlet@prod), got "${pair}"` });
        return z.NEVER;
      }
      out[m[1]] = m[3];
    }
    return out;
  });

const Env = z.object({
  KUBECONFIG: z.string().trim().min(1).optional(),
  HOME: z.string().optional(),
  MCP_K8S_CONTEXTS: ContextMap.optional(),
  POLICY_PUBLIC_KEY: z.string().trim().min(1).optional(),
});

export type KubernetesServerConfig = {
  /** The kubeconfig file (the first of a colon-separated KUBECONFIG). */
  kubeconfigPath: string;
  /** Cluster name → context; undefined: every context of the kubeconfig, by its cluster's name. */
  contexts: Record<string, string> | undefined;
  /** PEM text of the policy layer's public key, or a path to a PEM file (main.ts reads it). */
  policyPublicKey: { pem: string } | { file: string } | undefined;
};

/** Reads the server's environment once; a bad variable is an Error naming every problem. */
export function loadKubernetesConfig(env: Record<string, string | undefined>): KubernetesServerConfig {
  const blank = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v);
  const parsed = Env.safeParse({
    KUBECONFIG: blank(env.KUBECONFIG),
    HOME: blank(env.HOME),
    MCP_K8S_CONTEXTS: blank(env.MCP_K8S_CONTEXTS),
    POLICY_PUBLIC_KEY: blank(env.POLICY_PUBLIC_KEY),
  });
  if (!parsed.success) throw new Error(`bad configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const e = parsed.data;
  const key = e.POLICY_PUBLIC_KEY;
  return {
    kubeconfigPath: e.KUBECONFIG?.split(path.delimiter)[0] ?? path.join(e.HOME ?? homedir(), ".kube", "config"),
    contexts: e.MCP_K8S_CONTEXTS,
    policyPublicKey: key === undefined ? undefined : key.includes("-----BEGIN") ? { pem: key } : { file: key },
  };
}
