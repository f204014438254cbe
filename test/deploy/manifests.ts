import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { z } from "zod";

/** The repository root, where `deploy/` lives. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export const OVERLAYS = ["demo", "production"] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** What every rendered document must be: a Kubernetes object with a kind and a name. */
export const KubeObject = z
  .object({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    metadata: z.object({ name: z.string().min(1), namespace: z.string().optional(), labels: z.record(z.string(), z.string()).optional() }).loose(),
  })
  .loose();
export type KubeObject = z.infer<typeof KubeObject>;

/** Runs `kubectl kustomize <dir>` (the kustomize built into the machine's kubectl): the YAML `kubectl apply -f -` takes. */
export function kustomizeText(dir: string): string {
  const r = spawnSync("kubectl", ["kustomize", dir], { cwd: ROOT, encoding: "utf8", timeout: 60_000, maxBuffer: 32 * 1024 * 1024 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") throw new Error("kubectl is not installed: `apt-get install kubernetes-client`");
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed (exit ${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** The objects `kubectl kustomize <dir>` renders. */
export function kustomize(dir: string): KubeObject[] {
  return parseAllDocuments(kustomizeText(dir)).map((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`document ${i} of ${dir}: ${doc.errors[0]?.message}`);
    return KubeObject.parse(doc.toJS());
  });
}

export const renderOverlay = (overlay: Overlay) => kustomize(`deploy/overlays/${overlay}`);

export function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} among: ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(", ")}`);
  return o;
}

const Container = z
  .object({
    name: z.string(),
    image: z.string(),
    envFrom: z.array(z.object({ configMapRef: z.object({ name: z.string() }).optional(), secretRef: z.object({ name: z.string() }).optional() })).optional(),
    env: z
      .array(
        z.object({
          name: z.string(),
          value: z.string().optional(),
          valueFrom: z.object({ secretKeyRef: z.object({ name: z.string(), key: z.string(), optional: z.boolean().optional() }).optional() }).loose().optional(),
        }),
      )
      .optional(),
    securityContext: z
      .object({
        allowPrivilegeEscalation: z.boolean().optional(),
        readOnlyRootFilesystem: z.boolean().optional(),
        privileged: z.boolean().optional(),
        capabilities: z.object({ drop: z.array(z.string()).optional(), add: z.array(z.string()).optional() }).optional(),
      })
      .optional(),
    resources: z.object({ requests: z.record(z.string(), z.string()).optional(), limits: z.record(z.string(), z.string()).optional() }).optional(),
    livenessProbe: z.unknown().optional(),
    readinessProbe: z.unknown().optional(),
    volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string(), readOnly: z.boolean().optional() })).optional(),
  })
  .loose();

const PodTemplate = z.object({
  metadata: z.object({ labels: z.record(z.string(), z.string()) }).loose(),
  spec: z
    .object({
      serviceAccountName: z.string().optional(),
      hostNetwork: z.boolean().optional(),
      hostPID: z.boolean().optional(),
      securityContext: z
        .object({ runAsNonRoot: z.boolean().optional(), runAsUser: z.number().optional(), seccompProfile: z.object({ type: z.string() }).optional() })
        .loose()
        .optional(),
      containers: z.array(Container).min(1),
      initContainers: z.array(Container).optional(),
      volumes: z.array(z.object({ name: z.string() }).loose()).optional(),
    })
    .loose(),
});
export type PodTemplate = z.infer<typeof PodTemplate>;

/** The pod template of a workload (Deployment, StatefulSet, DaemonSet, Job), parsed. */
export function podTemplate(o: KubeObject): PodTemplate {
  return PodTemplate.parse((o as { spec?: { template?: unknown } }).spec?.template);
}

export const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet", "Pod"];
