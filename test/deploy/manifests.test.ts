import { ENV_DOCS, parseConfig, type EnvVarName } from "@autodevops/shared";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { labelSelectorFromSpec, matchesLabels } from "../../packages/sandbox/src/store/selectors.js";
import { find, OVERLAYS, podTemplate, renderOverlay, WORKLOAD_KINDS, type KubeObject } from "./manifests.js";
import { schemaProblems } from "./schemas.js";

/**
 * The kustomize overlays in deploy/, rendered by the machine's kubectl: schema validity, the
 * hardening of seed 003, the configuration of every environment variable, and the network paths.
 */

const NAMESPACE = "autodevops";
const APPS = ["scarlet", "jamie"] as const;
/** Read only by an MCP server started with `--http` (the mcp-servers image); Scarlet and Jamie run theirs in-process. */
const NOT_FOR_THE_APPS: EnvVarName[] = ["MCP_HTTP_TOKEN"];
/** Not flagged secret by the schema, yet they carry credentials in the URL: they come from the Secret too. */
const CREDENTIAL_URLS: EnvVarName[] = ["DATABASE_URL", "REDIS_URL", "MONGODB_URI"];

const rendered = Object.fromEntries(OVERLAYS.map((o) => [o, renderOverlay(o)])) as Record<(typeof OVERLAYS)[number], KubeObject[]>;

const appContainer = (objects: KubeObject[], app: string) => {
  const c = podTemplate(find(objects, "Deployment", app)).spec.containers.find((x) => x.name === app);
  if (!c) throw new Error(`Deployment ${app} has no container ${app}`);
  return c;
};

const NetworkPolicy = z.object({
  metadata: z.object({ name: z.string(), namespace: z.string() }).loose(),
  spec: z.object({
    podSelector: z.unknown(),
    policyTypes: z.array(z.enum(["Ingress", "Egress"])),
    ingress: z.array(z.object({ from: z.array(z.record(z.string(), z.unknown())).optional(), ports: z.array(z.object({ protocol: z.string(), port: z.number() })).optional() })).optional(),
    egress: z.array(z.object({ to: z.array(z.record(z.string(), z.unknown())).optional(), ports: z.array(z.object({ protocol: z.string(), port: z.number() })).optional() })).optional(),
  }),
});
type NetworkPolicy = z.infer<typeof NetworkPolicy>;

const Selector = z.object({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(z.object({ key: z.string(), operator: z.string(), values: z.array(z.string()).optional() })).optional(),
});

/** A peer as a short readable string: `ns:monitoring/app.kubernetes.io/name=prometheus`, `ip:10.0.0.0/8`. */
function describePeer(peer: Record<string, unknown>, ownNamespace: string): string {
  if (peer.ipBlock) {
    const b = z.object({ cidr: z.string(), except: z.array(z.string()).optional() }).parse(peer.ipBlock);
    return `ip:${b.cidr}${b.except ? ` except ${b.except.join(",")}` : ""}`;
  }
  const ns = peer.namespaceSelector ? (Selector.parse(peer.namespaceSelector).matchLabels?.["kubernetes.io/metadata.name"] ?? "?") : ownNamespace;
  const pods = Selector.parse(peer.podSelector ?? {});
  const terms = [
    ...Object.entries(pods.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(pods.matchExpressions ?? []).map((e) => `${e.key} ${e.operator.toLowerCase()} (${(e.values ?? []).join(",")})`),
  ];
  return `ns:${ns}/${terms.join(",") || "*"}`;
}

/** Every (peer, protocol/port) a pod with these labels may be reached from or reach, by the policies that select it. */
function allowedPaths(objects: KubeObject[], labels: Record<string, string>, direction: "ingress" | "egress"): string[] {
  const policies = objects.filter((o) => o.kind === "NetworkPolicy").map((o) => NetworkPolicy.parse(o));
  const selecting = policies.filter((p) => p.metadata.namespace === NAMESPACE && matchesLabels(labelSelectorFromSpec(p.spec.podSelector), labels));
  const paths = new Set<string>();
  for (const p of selecting) {
    for (const rule of p.spec[direction] ?? []) {
      const peers = (direction === "ingress" ? (rule as { from?: Record<string, unknown>[] }).from : (rule as { to?: Record<string, unknown>[] }).to) ?? [];
      for (const peer of peers) for (const port of rule.ports ?? []) paths.add(`${describePeer(peer, p.metadata.namespace)} ${port.protocol}/${port.port}`);
    }
  }
  return [...paths].sort();
}

describe.each(OVERLAYS)("the %s overlay", (overlay) => {
  const objects = rendered[overlay];

  it("renders with kubectl kustomize: Scarlet, Jamie, their RBAC, config, budgets, autoscaler and policies, all in the autodevops namespace", () => {
    for (const [kind, name] of [
      ["Namespace", NAMESPACE],
      ["ServiceAccount", "scarlet"],
      ["ClusterRole", "autodevops-scarlet"],
      ["Role", "scarlet-leader-election"],
      ["Deployment", "scarlet"],
      ["PodDisruptionBudget", "scarlet"],
      ["Deployment", "jamie"],
      ["HorizontalPodAutoscaler", "jamie"],
      ["ConfigMap", "autodevops-config"],
      ["NetworkPolicy", "default-deny"],
    ] as const) {
      expect(() => find(objects, kind, name)).not.toThrow();
    }
    const namespaced = objects.filter((o) => !["Namespace", "ClusterRole", "ClusterRoleBinding"].includes(o.kind));
    // The Grafana dashboard's ConfigMap goes where Grafana's sidecar looks for it.
    const elsewhere = namespaced.filter((o) => o.metadata.namespace !== NAMESPACE).map((o) => `${o.kind}/${o.metadata.name} in ${o.metadata.namespace}`);
    expect(elsewhere).toEqual(overlay === "production" ? ["ConfigMap/autodevops-scarlet-dashboard in monitoring"] : []);
  });

  it("validates every object against the Kubernetes schemas (kubernetes-models), the Prometheus Operator's kinds against their zod schemas", async () => {
    const problems = (await Promise.all(objects.map((o) => schemaProblems(o)))).flat();
    expect(problems).toEqual([]);
  });

  it("runs every container as non-root with a read-only root filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp and resource limits", () => {
    const workloads = objects.filter((o) => WORKLOAD_KINDS.includes(o.kind));
    expect(workloads.length).toBeGreaterThanOrEqual(2);
    for (const w of workloads) {
      const { spec } = podTemplate(w);
      const id = `${w.kind}/${w.metadata.name}`;
      expect(spec.securityContext?.runAsNonRoot, id).toBe(true);
      expect(spec.securityContext?.runAsUser, id).toBeGreaterThan(0);
      expect(spec.securityContext?.seccompProfile?.type, id).toBe("RuntimeDefault");
      expect(spec.hostNetwork ?? false, id).toBe(false);
      expect(spec.hostPID ?? false, id).toBe(false);
      expect(JSON.stringify(spec.volumes ?? []), id).not.toContain("hostPath");
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        const cid = `${id} container ${c.name}`;
        expect(c.securityContext, cid).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        expect(c.securityContext?.privileged ?? false, cid).toBe(false);
        expect(c.securityContext?.capabilities?.add ?? [], cid).toEqual([]);
        expect(Object.keys(c.resources?.limits ?? {}).sort(), cid).toEqual(["cpu", "memory"]);
        expect(c.livenessProbe, cid).toBeDefined();
        expect(c.readinessProbe, cid).toBeDefined();
        // A pinned image: a tag other than latest (or a digest).
        expect(c.image, cid).toMatch(/^[\w./-]+(:[\w.-]+|@sha256:[a-f0-9]{64})$/);
        expect(c.image, cid).not.toMatch(/:latest$/);
      }
    }
  });

  it("gives Scarlet and Jamie every variable of the config schema: non-secrets from the ConfigMap, credentials only by secretKeyRef", () => {
    const config = z.object({ data: z.record(z.string(), z.string()) }).parse(find(objects, "ConfigMap", "autodevops-config")).data;
    const declared = Object.keys(ENV_DOCS) as EnvVarName[];
    const fromSecret = new Set<string>();
    for (const app of APPS) {
      const c = appContainer(objects, app);
      expect(c.envFrom?.map((e) => e.configMapRef?.name), app).toEqual(["autodevops-config"]);
      for (const e of c.env ?? []) {
        expect(e.value, `${app} ${e.name} is set inline`).toBeUndefined();
        expect(e.valueFrom?.secretKeyRef, `${app} ${e.name}`).toMatchObject({ name: "autodevops-secrets", key: e.name });
        expect(declared, `${app} ${e.name}`).toContain(e.name);
        fromSecret.add(e.name);
      }
    }
    // No variable the schema does not know, and no credential, in the ConfigMap.
    expect(Object.keys(config).filter((k) => !(k in ENV_DOCS))).toEqual([]);
    const credentials = declared.filter((n) => ENV_DOCS[n].secret || CREDENTIAL_URLS.includes(n));
    expect(credentials.filter((n) => n in config)).toEqual([]);
    // Every variable reaches the apps one way or the other, and each secret one by reference.
    const missing = declared.filter((n) => !(n in config) && !fromSecret.has(n) && !NOT_FOR_THE_APPS.includes(n));
    expect(missing).toEqual([]);
    expect(credentials.filter((n) => !fromSecret.has(n) && !NOT_FOR_THE_APPS.includes(n))).toEqual([]);
    expect(config.NODE_ENV).toBe("production");
  });

  it("configures what the product's own config schema accepts: each app's environment, its required Secret keys filled, parses", () => {
    const config = z.object({ data: z.record(z.string(), z.string()) }).parse(find(objects, "ConfigMap", "autodevops-config")).data;
    const example: Record<string, string> = { DATABASE_URL: "postgres://autodevops:pw@postgres.autodevops.svc:5432/autodevops", JAMIE_SESSION_SECRET: "s".repeat(32) };
    for (const app of APPS) {
      const required = (appContainer(objects, app).env ?? []).filter((e) => e.valueFrom?.secretKeyRef?.optional !== true).map((e) => e.name);
      const env = { ...config, ...Object.fromEntries(required.map((n) => [n, example[n] ?? `${n.toLowerCase()}-0123456789abcdef`])) };
      const parsed = parseConfig(env);
      expect(parsed.ok ? [] : parsed.error, app).toEqual([]);
      if (!parsed.ok) continue;
      expect(parsed.value.kubeconfig, app).toBe("/etc/autodevops/kubeconfig/config");
      expect(parsed.value.bindHost, app).toBe("0.0.0.0");
    }
  });

  it("requires the credentials production refuses to start without, and leaves the rest optional", () => {
    const required = (app: string) => (appContainer(objects, app).env ?? []).filter((e) => e.valueFrom?.secretKeyRef?.optional !== true).map((e) => e.name).sort();
    expect(required("scarlet")).toEqual(["AUTODEVOPS_ALERTS_TOKEN", "AUTODEVOPS_API_KEY", "AUTODEVOPS_APPROVER_TOKEN", "DATABASE_URL"]);
    expect(required("jamie")).toEqual(["AUTODEVOPS_API_KEY", "AUTODEVOPS_APPROVER_TOKEN", "DATABASE_URL", "JAMIE_SESSION_SECRET"]);
  });

  it("denies all traffic by default and lets only Alertmanager, Jamie and Prometheus reach Scarlet, on its port", () => {
    const deny = NetworkPolicy.parse(find(objects, "NetworkPolicy", "default-deny"));
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    expect(allowedPaths(objects, { "app.kubernetes.io/name": "scarlet" }, "ingress")).toEqual([
      "ns:autodevops/app.kubernetes.io/name=jamie TCP/7080",
      "ns:monitoring/app.kubernetes.io/name=alertmanager TCP/7080",
      "ns:monitoring/app.kubernetes.io/name=prometheus TCP/7080",
    ]);
  });

  it("lets Scarlet reach only DNS, the API server, Prometheus, Loki, Tempo and the database", () => {
    const database = overlay === "production" ? "ip:10.20.0.0/24 TCP/5432" : "ns:autodevops/app.kubernetes.io/name=postgres TCP/5432";
    const apiServer = ["ip:10.0.0.0/8", "ip:172.16.0.0/12", "ip:192.168.0.0/16"].flatMap((ip) => [`${ip} TCP/443`, `${ip} TCP/6443`]);
    expect(allowedPaths(objects, { "app.kubernetes.io/name": "scarlet" }, "egress")).toEqual(
      [
        ...apiServer,
        database,
        "ns:kube-system/k8s-app=kube-dns TCP/53",
        "ns:kube-system/k8s-app=kube-dns UDP/53",
        "ns:monitoring/app.kubernetes.io/name=loki TCP/3100",
        "ns:monitoring/app.kubernetes.io/name=prometheus TCP/9090",
        "ns:monitoring/app.kubernetes.io/name=tempo TCP/3200",
      ].sort(),
    );
  });

  it("lets Jamie be reached from the ingress controller only, and reach Scarlet and HTTPS outside the cluster besides the shared paths", () => {
    const jamie = { "app.kubernetes.io/name": "jamie" };
    expect(allowedPaths(objects, jamie, "ingress")).toEqual(["ns:ingress-nginx/* TCP/3000"]);
    const egress = allowedPaths(objects, jamie, "egress");
    expect(egress).toContain("ns:autodevops/app.kubernetes.io/name=scarlet TCP/7080");
    expect(egress).toContain("ip:0.0.0.0/0 except 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,169.254.0.0/16 TCP/443");
    const scarletOnly = allowedPaths(objects, { "app.kubernetes.io/name": "scarlet" }, "egress");
    expect(egress.filter((p) => !scarletOnly.includes(p))).toHaveLength(2);
  });
});

describe("the overlays differ where they should", () => {
  it("demo runs its own Postgres and locally built images; production a managed database, registry images, the Prometheus Operator's objects and an Ingress", () => {
    const kinds = (o: KubeObject[]) => new Set(o.map((x) => `${x.kind}/${x.metadata.name}`));
    const demo = kinds(rendered.demo);
    const production = kinds(rendered.production);
    expect(demo.has("StatefulSet/postgres")).toBe(true);
    expect(production.has("StatefulSet/postgres")).toBe(false);
    for (const k of ["ServiceMonitor/scarlet", "PrometheusRule/autodevops", "Ingress/jamie", "ConfigMap/autodevops-scarlet-dashboard"]) {
      expect(production.has(k), k).toBe(true);
      expect(demo.has(k), k).toBe(false);
    }
    expect(appContainer(rendered.demo, "scarlet").image).toBe("autodevops/scarlet:dev");
    expect(appContainer(rendered.production, "scarlet").image).toMatch(/^registry\.example\.com\/autodevops\/scarlet:\d+\.\d+\.\d+$/);
  });
});

describe("schema validation", () => {
  it("rejects an object that breaks its kind's schema, and a kind it has no schema for", async () => {
    const broken = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { replicas: "2", selector: { matchLabels: { a: "b" } } } };
    expect((await schemaProblems(broken)).join("\n")).toMatch(/replicas must be integer/);
    expect(await schemaProblems({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } })).toEqual(["Widget/w: no schema for example.com/v1 Widget"]);
    const rule = { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: "r" }, spec: { groups: [{ name: "g", rules: [{ alert: "A", expr: "up == 0" }] }] } };
    expect(await schemaProblems(rule)).toEqual(["PrometheusRule/r: spec.groups.0.rules.0: Invalid input"]);
  });
});
