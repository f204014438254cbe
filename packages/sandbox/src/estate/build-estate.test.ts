import { describe, expect, it } from "vitest";
import { z } from "zod";
import { applyDefaults } from "../api/defaults.js";
import { validateObject } from "../api/validation.js";
import { resourceForKind } from "../store/resources.js";
import { labelSelectorFromSpec, matchesLabels } from "../store/selectors.js";
import type { KubeObjectInput } from "../store/types.js";
import { buildEstate } from "./build-estate.js";

const NOW = new Date("2025-03-01T08:00:00.000Z");
const prod = buildEstate("prod", NOW);
const staging = buildEstate("staging", NOW);

const StringMap = z.record(z.string(), z.string());
const EnvVar = z.object({
  name: z.string(),
  valueFrom: z
    .object({
      configMapKeyRef: z.object({ name: z.string(), key: z.string() }).optional(),
      secretKeyRef: z.object({ name: z.string(), key: z.string() }).optional(),
    })
    .optional(),
});
const Probe = z.object({
  httpGet: z.object({ path: z.string(), port: z.number() }).optional(),
  tcpSocket: z.object({ port: z.number() }).optional(),
  periodSeconds: z.number(),
});
const Container = z.object({
  name: z.string(),
  image: z.string().regex(/^[a-z0-9.-]+\/[a-z0-9/-]+:[\w.-]+$/),
  env: z.array(EnvVar).default([]),
  ports: z.array(z.object({ name: z.string(), containerPort: z.number(), protocol: z.enum(["TCP", "UDP"]) })).min(1),
  resources: z.object({ requests: z.object({ cpu: z.string(), memory: z.string() }), limits: z.object({ cpu: z.string().optional(), memory: z.string() }) }),
  readinessProbe: Probe,
  livenessProbe: Probe,
  volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string() })).default([]),
});
const Workload = z.object({
  kind: z.enum(["Deployment", "StatefulSet"]),
  metadata: z.object({ name: z.string(), namespace: z.string(), labels: StringMap, annotations: StringMap.optional() }),
  spec: z.object({
    replicas: z.number().int(),
    selector: z.object({ matchLabels: StringMap }),
    template: z.object({
      metadata: z.object({ labels: StringMap }),
      spec: z.object({
        containers: z.array(Container).min(1),
        volumes: z.array(z.object({ name: z.string(), configMap: z.object({ name: z.string(), items: z.array(z.object({ key: z.string() })) }).optional() })).default([]),
        serviceAccountName: z.string().default("default"),
      }),
    }),
    serviceName: z.string().optional(),
    volumeClaimTemplates: z
      .array(z.object({ metadata: z.object({ name: z.string() }), spec: z.object({ accessModes: z.array(z.string()), resources: z.object({ requests: z.object({ storage: z.string() }) }) }) }))
      .optional(),
  }),
});
type Workload = z.infer<typeof Workload>;
const Service = z.object({
  metadata: z.object({ name: z.string(), namespace: z.string() }),
  spec: z.object({ type: z.literal("ClusterIP"), clusterIP: z.string(), selector: StringMap.optional(), ports: z.array(z.object({ port: z.number(), targetPort: z.number() })).min(1) }),
});
const Node = z.object({
  metadata: z.object({ name: z.string(), labels: StringMap }),
  status: z.object({
    capacity: StringMap,
    allocatable: StringMap,
    conditions: z.array(z.object({ type: z.string(), status: z.string() })),
    addresses: z.array(z.object({ type: z.string(), address: z.string() })),
    nodeInfo: StringMap,
  }),
});

const ofKind = (objects: KubeObjectInput[], kind: string) => objects.filter((o) => o.kind === kind);
const workloads = (objects: KubeObjectInput[]): Workload[] => objects.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet").map((o) => Workload.parse(o));
const find = (objects: KubeObjectInput[], kind: string, namespace: string | undefined, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);

describe("the prod estate", () => {
  it("runs the workloads of the contract's table with their replica counts", () => {
    const table = workloads(prod.objects).map((w) => `${w.metadata.namespace}/${w.metadata.name} ${w.kind} ${w.spec.replicas}`);
    expect(table.sort()).toEqual(
      [
        "shop/frontend Deployment 3",
        "shop/checkout Deployment 2",
        "shop/payments Deployment 2",
        "shop/cart Deployment 2",
        "shop/catalog Deployment 2",
        "shop/redis-cart StatefulSet 1",
        "shop/catalog-db StatefulSet 1",
        "platform/ingress-gateway Deployment 2",
        "kube-system/coredns Deployment 2",
        "batch/report-gen Deployment 1",
      ].sort(),
    );
  });

  it("has the shop's namespaces, an empty dev, the system namespaces, and a default ServiceAccount in each", () => {
    const namespaces = ofKind(prod.objects, "Namespace").map((n) => n.metadata.name);
    expect(namespaces.sort()).toEqual(["batch", "default", "dev", "kube-node-lease", "kube-public", "kube-system", "platform", "shop"]);
    for (const ns of namespaces) expect(find(prod.objects, "ServiceAccount", ns, "default"), ns).toBeDefined();
    expect(prod.objects.filter((o) => o.metadata.namespace === "dev" && o.kind !== "ServiceAccount")).toEqual([]);
    expect(find(prod.objects, "Namespace", undefined, "shop")?.metadata.labels).toMatchObject({ "kubernetes.io/metadata.name": "shop", environment: "prod" });
  });

  it("registers three Ready 4-CPU 16 GiB nodes, one per zone", () => {
    const nodes = ofKind(prod.objects, "Node").map((n) => Node.parse(n));
    expect(nodes.map((n) => n.metadata.name)).toEqual(["node-a", "node-b", "node-c"]);
    expect(new Set(nodes.map((n) => n.metadata.labels["topology.kubernetes.io/zone"])).size).toBe(3);
    for (const n of nodes) {
      expect(n.metadata.labels["kubernetes.io/hostname"]).toBe(n.metadata.name);
      expect(n.status.capacity).toMatchObject({ cpu: "4", memory: "16777216Ki", pods: "110" });
      expect(n.status.allocatable).toMatchObject({ cpu: "4", pods: "110" });
      expect(n.status.conditions.find((c) => c.type === "Ready")?.status).toBe("True");
      expect(n.status.conditions.filter((c) => c.type !== "Ready").every((c) => c.status === "False")).toBe(true);
      expect(n.status.addresses.some((a) => a.type === "InternalIP" && /^10\.\d+\.\d+\.\d+$/.test(a.address))).toBe(true);
      expect(n.status.nodeInfo.kubeletVersion).toMatch(/^v1\.31\.\d+$/);
      expect(n.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\/1\.7\.\d+$/);
      expect(n.status.nodeInfo.architecture).toBe("amd64");
    }
  });

  it("gives catalog-db a 10Gi volume through its volumeClaimTemplate, mounted in its container", () => {
    const db = workloads(prod.objects).find((w) => w.metadata.name === "catalog-db");
    const claim = db?.spec.volumeClaimTemplates?.[0];
    expect(claim?.spec.resources.requests.storage).toBe("10Gi");
    expect(claim?.spec.accessModes).toEqual(["ReadWriteOnce"]);
    expect(db?.spec.template.spec.containers[0]?.volumeMounts.map((m) => m.name)).toContain(claim?.metadata.name);
    expect(find(prod.objects, "Service", "shop", db?.spec.serviceName ?? "")).toBeDefined();
  });

  it("gives report-gen a CPU limit far above its request, for its nightly bursts", () => {
    const cpu = (v: string | undefined) => (v === undefined ? NaN : v.endsWith("m") ? Number(v.slice(0, -1)) / 1000 : Number(v));
    const ratio = (w: Workload) => {
      const r = w.spec.template.spec.containers[0]?.resources;
      return cpu(r?.limits.cpu) / cpu(r?.requests.cpu);
    };
    const all = workloads(prod.objects).filter((w) => w.spec.template.spec.containers[0]?.resources.limits.cpu !== undefined);
    const reportGen = all.find((w) => w.metadata.name === "report-gen");
    expect(reportGen && ratio(reportGen)).toBeGreaterThanOrEqual(8);
    for (const w of all.filter((x) => x !== reportGen)) expect(ratio(w), w.metadata.name).toBeLessThan(ratio(reportGen as Workload));
  });

  it("keeps the payment gateway credentials in an Opaque Secret that payments reads by key", () => {
    const secret = find(prod.objects, "Secret", "shop", "payments-gateway-credentials");
    expect(secret?.type).toBe("Opaque");
    const payments = workloads(prod.objects).find((w) => w.metadata.name === "payments");
    const refs = payments?.spec.template.spec.containers[0]?.env.map((e) => e.valueFrom?.secretKeyRef?.name);
    expect(refs).toContain("payments-gateway-credentials");
  });
});

describe("the staging estate", () => {
  it("runs the shop namespace's workloads with one replica each, and cluster DNS", () => {
    const table = workloads(staging.objects).map((w) => `${w.metadata.namespace}/${w.metadata.name} ${w.spec.replicas}`);
    expect(table.sort()).toEqual(
      ["shop/frontend", "shop/checkout", "shop/payments", "shop/cart", "shop/catalog", "shop/redis-cart", "shop/catalog-db", "kube-system/coredns"].map((n) => `${n} 1`).sort(),
    );
    const namespaces = ofKind(staging.objects, "Namespace").map((n) => n.metadata.name);
    expect(namespaces).toContain("shop");
    expect(namespaces).not.toContain("platform");
    expect(ofKind(staging.objects, "Node").map((n) => n.metadata.name)).toEqual(["node-a", "node-b", "node-c"]);
  });
});

describe.each([
  ["prod", prod],
  ["staging", staging],
])("every %s object", (_name, estate) => {
  const all = [...estate.objects, ...estate.history];

  it("passes the API server's validation and is already in the form it stores after defaulting", () => {
    for (const o of all) {
      const type = resourceForKind(String(o.apiVersion), String(o.kind));
      expect(type, `${o.kind} ${o.metadata.name}`).toBeDefined();
      if (!type) continue;
      expect(validateObject(type, o), `${o.kind} ${o.metadata.name}`).toEqual([]);
      expect(applyDefaults(o), `${o.kind} ${o.metadata.name}`).toEqual(o);
    }
  });

  it("is unique by kind, namespace and name, and lives in a namespace of the estate", () => {
    const keys = estate.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    const namespaces = new Set(ofKind(estate.objects, "Namespace").map((n) => n.metadata.name));
    for (const o of estate.objects) if (o.metadata.namespace !== undefined) expect(namespaces.has(o.metadata.namespace), `${o.kind} ${o.metadata.name}`).toBe(true);
  });

  it("reads only ConfigMap and Secret keys that exist, and every workload's env comes from its own `<name>-config`", () => {
    for (const w of workloads(all)) {
      const ns = w.metadata.namespace;
      const pod = w.spec.template.spec;
      for (const c of pod.containers) {
        for (const e of c.env) {
          const cm = e.valueFrom?.configMapKeyRef;
          if (cm) {
            const data = find(estate.objects, "ConfigMap", ns, cm.name)?.data as Record<string, string> | undefined;
            expect(data && Object.hasOwn(data, cm.key), `${ns}/${w.metadata.name} ${cm.name}.${cm.key}`).toBe(true);
          }
          const secret = e.valueFrom?.secretKeyRef;
          if (secret) {
            const data = find(estate.objects, "Secret", ns, secret.name)?.data as Record<string, string> | undefined;
            expect(data && Object.hasOwn(data, secret.key), `${ns}/${w.metadata.name} ${secret.name}.${secret.key}`).toBe(true);
          }
        }
        if (w.metadata.name !== "coredns") {
          const own = find(estate.objects, "ConfigMap", ns, `${w.metadata.name}-config`)?.data as Record<string, string> | undefined;
          const read = c.env.flatMap((e) => (e.valueFrom?.configMapKeyRef?.name === `${w.metadata.name}-config` ? [e.valueFrom.configMapKeyRef.key] : []));
          expect(own, `${w.metadata.name}-config`).toBeDefined();
          expect(read.sort()).toEqual(Object.keys(own ?? {}).sort());
        }
      }
      for (const v of pod.volumes) {
        if (!v.configMap) continue;
        const data = find(estate.objects, "ConfigMap", ns, v.configMap.name)?.data as Record<string, string> | undefined;
        for (const item of v.configMap.items) expect(data && Object.hasOwn(data, item.key), `${v.configMap.name}.${item.key}`).toBe(true);
      }
      expect(find(estate.objects, "ServiceAccount", ns, pod.serviceAccountName), `${ns}/${pod.serviceAccountName}`).toBeDefined();
    }
  });

  it("has a Service selecting each workload's pods, and no Service that selects nothing", () => {
    const ws = workloads(estate.objects);
    const services = ofKind(estate.objects, "Service").map((s) => Service.parse(s));
    for (const s of services) {
      if (!s.spec.selector) continue;
      const selected = ws.filter((w) => w.metadata.namespace === s.metadata.namespace && matchesLabels(labelSelectorFromSpec({ matchLabels: s.spec.selector }), w.spec.template.metadata.labels));
      expect(selected.map((w) => w.metadata.name), s.metadata.name).toHaveLength(1);
    }
    for (const w of ws) {
      const selectedBy = services.filter(
        (s) => s.spec.selector && s.metadata.namespace === w.metadata.namespace && matchesLabels(labelSelectorFromSpec({ matchLabels: s.spec.selector }), w.spec.template.metadata.labels),
      );
      expect(selectedBy.length, w.metadata.name).toBeGreaterThan(0);
      const ports = w.spec.template.spec.containers.flatMap((c) => c.ports.map((p) => p.containerPort));
      for (const s of selectedBy) for (const p of s.spec.ports) expect(ports, `${s.metadata.name}:${p.targetPort}`).toContain(p.targetPort);
    }
  });

  it("labels workloads as the shop's tooling expects, with requests, a memory limit and both probes on every container", () => {
    for (const w of workloads(estate.objects)) {
      expect(w.spec.template.metadata.labels).toMatchObject({ app: w.metadata.name, "app.kubernetes.io/name": w.metadata.name });
      expect(matchesLabels(labelSelectorFromSpec(w.spec.selector), w.spec.template.metadata.labels)).toBe(true);
      expect(w.metadata.annotations?.["kubernetes.io/change-cause"]).toBeTruthy();
      // Parsing already demanded requests, limits.memory and both probes.
      for (const c of w.spec.template.spec.containers) expect(c.image).toMatch(/^(registry\.example\.com|registry\.k8s\.io)\//);
    }
    const shop = workloads(estate.objects).filter((w) => w.metadata.namespace === "shop");
    for (const w of shop) expect(w.spec.template.metadata.labels["app.kubernetes.io/part-of"]).toBe("shop");
    for (const w of shop.filter((x) => x.kind === "Deployment")) {
      const c = w.spec.template.spec.containers[0];
      expect(c?.readinessProbe.httpGet).toEqual({ path: "/readyz", port: 8080 });
      expect(c?.livenessProbe.httpGet).toEqual({ path: "/healthz", port: 8080 });
    }
  });

  it("starts every Deployment from a revision 1 that differs from the current one in image tag and change-cause", () => {
    const current = workloads(estate.objects).filter((w) => w.kind === "Deployment");
    const first = workloads(estate.history);
    expect(first.map((w) => w.metadata.name).sort()).toEqual(current.map((w) => w.metadata.name).sort());
    for (const now of current) {
      const then = first.find((w) => w.metadata.name === now.metadata.name && w.metadata.namespace === now.metadata.namespace);
      const [imageThen, imageNow] = [then?.spec.template.spec.containers[0]?.image, now.spec.template.spec.containers[0]?.image];
      expect(imageThen?.split(":")[0]).toBe(imageNow?.split(":")[0]);
      expect(imageThen).not.toBe(imageNow);
      expect(then?.metadata.annotations?.["kubernetes.io/change-cause"]).not.toBe(now.metadata.annotations?.["kubernetes.io/change-cause"]);
      expect(now.metadata.annotations?.["kubernetes.io/change-cause"]).toContain(imageNow?.split(":")[1]);
      const strip = (w: Workload | undefined) => JSON.stringify({ ...w?.spec.template.spec, containers: w?.spec.template.spec.containers.map((c) => ({ ...c, image: "" })) });
      expect(strip(then)).toBe(strip(now));
    }
  });
});
