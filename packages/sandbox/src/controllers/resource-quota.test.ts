import { describe, expect, it } from "vitest";
import type { PodSpec } from "./kube-shapes.js";
import { cpuMilli, formatBytes, formatCpu, parseQuantity, qosClass } from "./quantity.js";
import { namespaceUsage, quotaRefusal, quotaStatus, type Quota } from "./resource-quota.js";

const quota = (hard: Record<string, string>): Quota => ({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "q", uid: "q", resourceVersion: "1", creationTimestamp: "" }, spec: { hard } });
const spec = (requests: Record<string, string>, limits: Record<string, string> = {}): PodSpec => ({ containers: [{ name: "app", resources: { requests, limits } }] });

describe("quantities", () => {
  it("reads and prints the API's quantities", () => {
    expect(parseQuantity("1.5Gi")).toBe(1.5 * 2 ** 30);
    expect(parseQuantity("1e3")).toBe(1000);
    expect(cpuMilli("250m")).toBe(250);
    expect(cpuMilli("0.1")).toBe(100);
    expect(formatCpu(1900)).toBe("1900m");
    expect(formatCpu(2000)).toBe("2");
    expect(formatBytes(1536 * 2 ** 20)).toBe("1536Mi");
    expect(formatBytes(2 * 2 ** 30)).toBe("2Gi");
  });

  it("classes pods by QoS", () => {
    expect(qosClass(spec({}))).toBe("BestEffort");
    expect(qosClass(spec({ cpu: "100m" }))).toBe("Burstable");
    expect(qosClass(spec({ cpu: "1", memory: "1Gi" }, { cpu: "1", memory: "1Gi" }))).toBe("Guaranteed");
    expect(qosClass(spec({}, { cpu: "1", memory: "1Gi" }))).toBe("Guaranteed");
  });
});

describe("resource quota", () => {
  it("refuses a pod past a hard limit with the API server's message", () => {
    const used = { pods: 4, "requests.cpu": 1900 };
    expect(quotaRefusal([quota({ pods: "10", "requests.cpu": "2" })], used, spec({ cpu: "500m", memory: "1Gi" }))).toBe(
      "exceeded quota: q, requested: requests.cpu=500m, used: requests.cpu=1900m, limited: requests.cpu=2",
    );
    expect(quotaRefusal([quota({ pods: "10", "requests.cpu": "4" })], used, spec({ cpu: "500m" }))).toBeUndefined();
  });

  it("asks for the requests and limits a quota constrains", () => {
    expect(quotaRefusal([quota({ "limits.memory": "4Gi", "requests.cpu": "4" })], {}, spec({ memory: "1Gi" }))).toBe(
      "failed quota: q: must specify limits.memory for: app; requests.cpu for: app",
    );
  });

  it("counts a namespace's live pods and objects into the quota's status", () => {
    const pods = [
      { metadata: { name: "a" }, spec: spec({ cpu: "250m", memory: "256Mi" }), status: { phase: "Running" } },
      { metadata: { name: "b" }, spec: spec({ cpu: "250m", memory: "256Mi" }), status: { phase: "Succeeded" } },
    ];
    const used = namespaceUsage((r) => (r === "pods" ? (pods as never) : r === "configmaps" ? ([{}, {}] as never) : []));
    expect(quotaStatus(quota({ pods: "5", "requests.memory": "2Gi", configmaps: "10" }), used)).toEqual({
      hard: { pods: "5", "requests.memory": "2Gi", configmaps: "10" },
      used: { pods: "1", "requests.memory": "256Mi", configmaps: "2" },
    });
  });
});
