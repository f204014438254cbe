import { chmod, mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";

/** What the kubeconfig names: each simulated cluster's API server, and the identities' bearer tokens. */
export interface KubeconfigSpec {
  /** `certificateAuthority` is the PEM the API server's certificate chains to (see api/tls.ts). */
  clusters: Array<{ name: string; server: string; certificateAuthority: string }>;
  /** Must include `admin`, whose contexts carry the cluster's plain name (`prod`); every other user's are `<user>@<cluster>`. */
  users: Array<{ name: string; token: string }>;
  /** Default: the first cluster's admin context. */
  currentContext?: string;
}

export const ADMIN_USER = "admin";

/** The context name for a user on a cluster: the admin's is the cluster's own name, as kubectl users expect. */
export function contextName(user: string, cluster: string): string {
  return user === ADMIN_USER ? cluster : `${user}@${cluster}`;
}

// JSON's double-quoted strings are valid YAML double-quoted scalars, so quoting every string
// this way keeps tokens and URLs intact without a YAML library.
const q = (s: string) => JSON.stringify(s);

/** The kubeconfig as YAML text; throws when `admin` is missing or a name repeats (a caller's bug). */
export function renderKubeconfig(spec: KubeconfigSpec): string {
  if (!spec.users.some((u) => u.name === ADMIN_USER)) throw new Error(`kubeconfig: no "${ADMIN_USER}" user among ${spec.users.map((u) => u.name).join(", ")}`);
  for (const [what, names] of [["cluster", spec.clusters.map((c) => c.name)], ["user", spec.users.map((u) => u.name)]] as const) {
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new Error(`kubeconfig: ${what} "${dup}" is named twice`);
  }
  const first = spec.clusters[0];
  if (!first) throw new Error("kubeconfig: no clusters");
  const contexts = spec.users.flatMap((u) => spec.clusters.map((c) => ({ name: contextName(u.name, c.name), cluster: c.name, user: u.name })));
  const current = spec.currentContext ?? contextName(ADMIN_USER, first.name);
  if (!contexts.some((c) => c.name === current)) throw new Error(`kubeconfig: current context "${current}" is not one of its contexts`);

  const lines = ["apiVersion: v1", "kind: Config", "preferences: {}", `current-context: ${q(current)}`, "clusters:"];
  for (const c of spec.clusters) {
    // The API servers use a certificate made at start; clients verify it against this authority.
    const ca = Buffer.from(c.certificateAuthority).toString("base64");
    lines.push(`- name: ${q(c.name)}`, "  cluster:", `    server: ${q(c.server)}`, `    certificate-authority-data: ${q(ca)}`);
  }
  lines.push("contexts:");
  for (const c of contexts) lines.push(`- name: ${q(c.name)}`, "  context:", `    cluster: ${q(c.cluster)}`, `    user: ${q(c.user)}`);
  lines.push("users:");
  for (const u of spec.users) lines.push(`- name: ${q(u.name)}`, "  user:", `    token: ${q(u.token)}`);
  return `${lines.join("\n")}\n`;
}

/**
 * Writes the kubeconfig to `path` readable by its owner only (it holds bearer tokens), replacing
 * any file there in one step so a kubectl reading it never sees half a file. Returns the absolute path.
 */
export async function writeKubeconfig(path: string, spec: KubeconfigSpec): Promise<string> {
  const target = resolve(path);
  const text = renderKubeconfig(spec);
  await mkdir(dirname(target), { recursive: true, mode: 0o700 });
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, text, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, target);
  return target;
}
