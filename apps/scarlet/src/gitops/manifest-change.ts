import { parseAllDocuments, parse as parseYaml } from "yaml";
import { err, ok, type Action, type Result } from "@autodevops/shared";
import { quantity } from "../playbooks/facts.js";

type Resources = { cpu?: string | undefined; memory?: string | undefined };

/**
 * What an action sets on a workload, in terms that hold both in its manifest and in the live
 * object: the pull request writes it into git, and the cluster runs the change once the object
 * shows it. A container without a name is the workload's first one.
 */
export type DesiredState = {
  kind: "Deployment" | "StatefulSet";
  replicas?: number;
  containers?: { name?: string | undefined; image?: string; limits?: Resources; requests?: Resources }[];
};

/** Where a workload's manifest is: a file of the repository and the YAML document in it. */
export type ManifestLocation = { path: string; document: number };

type Manifest = { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown }; spec?: { replicas?: unknown; template?: { spec?: { containers?: unknown } } } };
type Container = { name?: unknown; image?: unknown; resources?: { limits?: Record<string, unknown>; requests?: Record<string, unknown> } };

/**
 * The manifest change an action stands for, or why it has none: only actions that change a
 * workload's declared state (replicas, resources, the pod template's images) can be made in git;
 * a restart, a pod's deletion or a node's cordon are operations on what runs, not on what is declared.
 * `rollbackTo` is the revision's containers as the rollback tool's dry run reports them.
 */
export function desiredStateOf(action: Action, workloadKind: "Deployment" | "StatefulSet" | "DaemonSet" | undefined, rollbackTo?: { name: string; image: string }[]): Result<DesiredState, string> {
  if (workloadKind === "DaemonSet") return err(`${action.target} is a DaemonSet: its manifest change is not one Scarlet writes`);
  const kind = workloadKind ?? "Deployment";
  switch (action.kind) {
    case "scale":
      return ok({ kind: action.params.workloadKind, replicas: action.params.replicas });
    case "set-resources":
      return ok({ kind, containers: [{ name: action.params.container, ...(action.params.limits ? { limits: action.params.limits } : {}), ...(action.params.requests ? { requests: action.params.requests } : {}) }] });
    case "rollback":
      if (!rollbackTo?.length) return err(`no earlier revision of ${action.target} is known to roll back to`);
      return ok({ kind: "Deployment", containers: rollbackTo.map((c) => ({ name: c.name, image: c.image })) });
    default:
      return err(`${action.kind} changes what runs, not what the manifests declare: it has no pull request form`);
  }
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/**
 * Finds the document that declares `kind namespace/name` among the repository's YAML files. A
 * document without a namespace (a kustomize base, say) counts when no file names the namespace
 * and exactly one document matches the name: two such candidates are ambiguous and refused.
 */
export function findManifest(files: readonly { path: string; text: string }[], kind: string, namespace: string, name: string): Result<ManifestLocation, string> {
  const exact: ManifestLocation[] = [];
  const unnamespaced: ManifestLocation[] = [];
  for (const f of files) {
    let docs;
    try {
      docs = parseAllDocuments(f.text);
    } catch {
      continue;
    }
    if (!Array.isArray(docs)) continue;
    docs.forEach((d, i) => {
      if (d.errors.length) return;
      const m = d.toJS() as Manifest | null;
      if (!m || m.kind !== kind || m.metadata?.name !== name) return;
      const ns = str(m.metadata?.namespace);
      if (ns === namespace) exact.push({ path: f.path, document: i });
      else if (ns === undefined) unnamespaced.push({ path: f.path, document: i });
    });
  }
  const found = exact.length ? exact : unnamespaced;
  const where = (l: ManifestLocation[]) => l.map((x) => `${x.path}#${x.document}`).join(", ");
  if (found.length === 1 && found[0]) return ok(found[0]);
  if (found.length > 1) return err(`${kind} ${namespace}/${name} is declared ${found.length} times (${where(found)}): Scarlet will not guess which one ArgoCD applies`);
  return err(`no manifest declares ${kind} ${namespace}/${name}`);
}

/** The file's text with the desired state written into its document; comments and layout stay. */
export function editManifest(text: string, at: ManifestLocation, desired: DesiredState): Result<string, string> {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return err("the file holds no YAML documents");
  const doc = docs[at.document];
  if (!doc || doc.errors.length) return err(`document ${at.document} of the file is missing or not valid YAML`);
  if (desired.replicas !== undefined) doc.setIn(["spec", "replicas"], desired.replicas);
  const containers = ((doc.toJS() as Manifest).spec?.template?.spec?.containers ?? []) as Container[];
  for (const c of desired.containers ?? []) {
    const i = c.name === undefined ? 0 : containers.findIndex((x) => x.name === c.name);
    if (i < 0 || !containers[i]) return err(`the manifest has no container ${c.name ?? "at all"}`);
    const base = ["spec", "template", "spec", "containers", i];
    if (c.image !== undefined) doc.setIn([...base, "image"], c.image);
    for (const part of ["limits", "requests"] as const) {
      for (const [resource, value] of Object.entries(c[part] ?? {})) if (value !== undefined) doc.setIn([...base, "resources", part, resource], value);
    }
  }
  return ok(docs.map((d) => d.toString()).join(""));
}

const sameQuantity = (a: unknown, b: string) => {
  const x = quantity(typeof a === "number" || typeof a === "string" ? a : undefined);
  return x !== undefined && Math.abs(x - (quantity(b) ?? NaN)) < 1e-9;
};

/** Whether a live object (or a manifest) shows the desired state; `detail` names the first difference. */
export function shows(object: unknown, desired: DesiredState): { ok: boolean; detail: string } {
  const o = (typeof object === "string" ? parseYaml(object) : object) as Manifest;
  if (desired.replicas !== undefined && o.spec?.replicas !== desired.replicas) return { ok: false, detail: `replicas ${String(o.spec?.replicas)}, not yet ${desired.replicas}` };
  const containers = (o.spec?.template?.spec?.containers ?? []) as Container[];
  for (const c of desired.containers ?? []) {
    const live = c.name === undefined ? containers[0] : containers.find((x) => x.name === c.name);
    const label = `container ${c.name ?? str(live?.name) ?? "0"}`;
    if (!live) return { ok: false, detail: `no ${label}` };
    if (c.image !== undefined && live.image !== c.image) return { ok: false, detail: `${label} runs ${String(live.image)}, not yet ${c.image}` };
    for (const part of ["limits", "requests"] as const) {
      for (const [resource, value] of Object.entries(c[part] ?? {})) {
        if (value !== undefined && !sameQuantity(live.resources?.[part]?.[resource], value)) return { ok: false, detail: `${label} ${part}.${resource} is ${String(live.resources?.[part]?.[resource] ?? "unset")}, not yet ${value}` };
      }
    }
  }
  return { ok: true, detail: describeDesired(desired) };
}

/** The desired state in words: "replicas 4", "container app image shop/checkout:1.4". */
export function describeDesired(d: DesiredState): string {
  const parts: string[] = [];
  if (d.replicas !== undefined) parts.push(`replicas ${d.replicas}`);
  for (const c of d.containers ?? []) {
    const name = c.name ? `container ${c.name}` : "the first container";
    if (c.image !== undefined) parts.push(`${name} image ${c.image}`);
    for (const part of ["limits", "requests"] as const) for (const [r, v] of Object.entries(c[part] ?? {})) if (v !== undefined) parts.push(`${name} ${part}.${r} ${v}`);
  }
  return parts.join(", ");
}
