import { z } from "zod";
import type { KubeObject } from "./manifests.js";

/**
 * Schema validation of rendered objects: built-in kinds against the Kubernetes OpenAPI schemas
 * that `kubernetes-models` ships; the CRDs the deploy uses (the Prometheus Operator's
 * ServiceMonitor and PrometheusRule, ArgoCD's Application) against the zod schemas below, which
 * hold the fields their controllers need (no package of their schemas is installed here).
 */

const Metadata = z.object({ name: z.string().min(1), namespace: z.string().min(1).optional(), labels: z.record(z.string(), z.string()).optional() }).loose();
const MatchLabels = z.object({ matchLabels: z.record(z.string(), z.string()) }).strict();

const ServiceMonitor = z
  .object({
    apiVersion: z.literal("monitoring.coreos.com/v1"),
    kind: z.literal("ServiceMonitor"),
    metadata: Metadata,
    spec: z
      .object({
        selector: MatchLabels,
        endpoints: z.array(z.object({ port: z.string().min(1), path: z.string().startsWith("/"), interval: z.string().regex(/^\d+[smh]$/) }).strict()).min(1),
      })
      .strict(),
  })
  .strict();

const Rule = z.union([
  z
    .object({
      alert: z.string().regex(/^[A-Za-z_][\w]*$/),
      expr: z.string().min(1),
      for: z.string().regex(/^\d+[smh]$/).optional(),
      labels: z.object({ severity: z.enum(["info", "warning", "critical"]) }).catchall(z.string()),
      annotations: z.object({ summary: z.string().min(1), description: z.string().min(1) }).catchall(z.string()),
    })
    .strict(),
  z.object({ record: z.string().regex(/^[a-zA-Z_:][\w:]*$/), expr: z.string().min(1), labels: z.record(z.string(), z.string()).optional() }).strict(),
]);

export const PrometheusRule = z
  .object({
    apiVersion: z.literal("monitoring.coreos.com/v1"),
    kind: z.literal("PrometheusRule"),
    metadata: Metadata,
    spec: z.object({ groups: z.array(z.object({ name: z.string().min(1), interval: z.string().optional(), rules: z.array(Rule).min(1) }).strict()).min(1) }).strict(),
  })
  .strict();

export const ArgoApplication = z
  .object({
    apiVersion: z.literal("argoproj.io/v1alpha1"),
    kind: z.literal("Application"),
    metadata: Metadata.extend({ namespace: z.string().min(1), finalizers: z.array(z.string()).optional() }),
    spec: z
      .object({
        project: z.string().min(1),
        source: z.object({ repoURL: z.url(), targetRevision: z.string().min(1), path: z.string().min(1) }).strict(),
        destination: z.object({ server: z.url(), namespace: z.string().min(1) }).strict(),
        syncPolicy: z
          .object({
            automated: z.object({ prune: z.boolean(), selfHeal: z.boolean() }).strict().optional(),
            syncOptions: z.array(z.string().regex(/^\w+=\w+$/)).optional(),
            retry: z.object({ limit: z.number().int(), backoff: z.object({ duration: z.string(), factor: z.number(), maxDuration: z.string() }).strict() }).strict().optional(),
          })
          .strict()
          .optional(),
        ignoreDifferences: z.array(z.object({ group: z.string(), kind: z.string(), name: z.string().optional(), jsonPointers: z.array(z.string().startsWith("/")) }).strict()).optional(),
      })
      .strict(),
  })
  .strict();

const CRD_SCHEMAS: Record<string, z.ZodType> = {
  "monitoring.coreos.com/v1 ServiceMonitor": ServiceMonitor,
  "monitoring.coreos.com/v1 PrometheusRule": PrometheusRule,
  "argoproj.io/v1alpha1 Application": ArgoApplication,
};

type Model = new (data: unknown) => { validate(): void };

/** The kubernetes-models class of a built-in kind, e.g. `apps/v1` Deployment; undefined for other kinds. */
async function kubernetesModel(apiVersion: string, kind: string): Promise<Model | undefined> {
  const mod = (await import(`kubernetes-models/${apiVersion}`).catch(() => undefined)) as Record<string, unknown> | undefined;
  const model = mod?.[kind];
  return typeof model === "function" ? (model as Model) : undefined;
}

/** Every problem of one object, or [] when it is valid; a kind without a schema is a problem too. */
export async function schemaProblems(o: KubeObject): Promise<string[]> {
  const id = `${o.kind}/${o.metadata.name}`;
  const crd = CRD_SCHEMAS[`${o.apiVersion} ${o.kind}`];
  if (crd) {
    const r = crd.safeParse(o);
    return r.success ? [] : r.error.issues.map((i) => `${id}: ${i.path.join(".")}: ${i.message}`);
  }
  const Model = await kubernetesModel(o.apiVersion, o.kind);
  if (!Model) return [`${id}: no schema for ${o.apiVersion} ${o.kind}`];
  try {
    new Model(o).validate();
    return [];
  } catch (e) {
    return [`${id}: ${(e as Error).message}`];
  }
}
