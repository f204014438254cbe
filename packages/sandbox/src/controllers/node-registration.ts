import { createHash } from "node:crypto";
import type { Node, NodeStatus } from "./kube-shapes.js";

/** What a kubelet reports of a machine nobody described: 4 CPU, 16 GiB, 110 pods. */
const DEFAULT_CAPACITY = { cpu: "4", "ephemeral-storage": "102687672Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0", memory: "16777216Ki", pods: "110" };
/** kubeadm's defaults keep 100Mi of memory back for evictions. */
const DEFAULT_ALLOCATABLE = { ...DEFAULT_CAPACITY, "ephemeral-storage": "94636958328", memory: "16674816Ki" };

const digest = (seed: string, length: number) => createHash("sha256").update(seed).digest("hex").slice(0, length);
const uuid = (seed: string) => {
  const h = digest(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/**
 * The status fields a kubelet fills when it registers its node, for those the node lacks
 * (capacity, allocatable, addresses, nodeInfo, daemon endpoint). The InternalIP is the lowest
 * free one of 10.0.0.10+ among `others`. Undefined when nothing is missing.
 */
export function registrationFields(node: Node, others: Node[]): Partial<NodeStatus> | undefined {
  const s = node.status ?? {};
  const name = node.metadata.name;
  const out: Partial<NodeStatus> = {};
  if (!s.capacity) out.capacity = { ...DEFAULT_CAPACITY };
  if (!s.allocatable) out.allocatable = { ...(s.capacity ?? DEFAULT_ALLOCATABLE) };
  if (!s.addresses?.some((a) => a.type === "InternalIP")) {
    const taken = new Set(others.flatMap((n) => n.status?.addresses ?? []).filter((a) => a.type === "InternalIP").map((a) => a.address));
    let host = 10;
    while (taken.has(`10.0.0.${host}`) && host < 254) host++;
    out.addresses = [...(s.addresses ?? []).filter((a) => a.type !== "Hostname"), { type: "InternalIP", address: `10.0.0.${host}` }, { type: "Hostname", address: name }];
  }
  if (!s.nodeInfo) {
    out.nodeInfo = {
      architecture: "amd64",
      bootID: uuid(`${name}/boot`),
      containerRuntimeVersion: "containerd://1.7.24",
      kernelVersion: "6.8.0-1021-aws",
      kubeProxyVersion: "v1.31.4",
      kubeletVersion: "v1.31.4",
      machineID: digest(`${name}/machine`, 32),
      operatingSystem: "linux",
      osImage: "Ubuntu 24.04.1 LTS",
      systemUUID: uuid(`${name}/system`),
    };
  }
  if (!s.daemonEndpoints) out.daemonEndpoints = { kubeletEndpoint: { Port: 10250 } };
  return Object.keys(out).length ? out : undefined;
}
