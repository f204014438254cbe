import { createHash } from "node:crypto";
import type { KubeObjectInput } from "../store/types.js";
import type { ClusterName } from "./cluster-name.js";

/**
 * The three worker nodes of each cluster (4 CPU, 16 GiB: an m5.xlarge), one per zone, as the
 * kubelet registers them. The kubelet simulation keeps their heartbeats going from here.
 */

export const NODE_NAMES = ["node-a", "node-b", "node-c"] as const;

const REGION = "eu-west-1";
const INSTANCE_TYPE = "m5.xlarge";
const KUBELET_VERSION = "v1.31.4";

/** 16 GiB in the Ki the kubelet reports; allocatable keeps kubeadm's 100Mi eviction threshold back. */
const CAPACITY = { cpu: "4", "ephemeral-storage": "102687672Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0", memory: "16777216Ki", pods: "110" };
const ALLOCATABLE = { ...CAPACITY, "ephemeral-storage": "94636958328", memory: "16674816Ki" };

const hex = (seed: string, length: number) => createHash("sha256").update(seed).digest("hex").slice(0, length);

function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The conditions of a healthy node, in the order the kubelet writes them. */
export function healthyNodeConditions(at: string): Array<Record<string, string>> {
  const c = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: at,
    lastTransitionTime: at,
    reason,
    message,
  });
  return [
    c("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    c("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    c("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    c("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
  ];
}

export function nodeObjects(cluster: ClusterName, now: Date): KubeObjectInput[] {
  const at = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  return NODE_NAMES.map((name, i) => {
    const zone = `${REGION}${"abc"[i] ?? "a"}`;
    const ip = `10.${cluster === "prod" ? 0 : 1}.1.${11 + i}`;
    const seed = `${cluster}/${name}`;
    return {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name,
        labels: {
          "beta.kubernetes.io/arch": "amd64",
          "beta.kubernetes.io/instance-type": INSTANCE_TYPE,
          "beta.kubernetes.io/os": "linux",
          "kubernetes.io/arch": "amd64",
          "kubernetes.io/hostname": name,
          "kubernetes.io/os": "linux",
          "node-role.kubernetes.io/worker": "",
          "node.kubernetes.io/instance-type": INSTANCE_TYPE,
          "topology.kubernetes.io/region": REGION,
          "topology.kubernetes.io/zone": zone,
        },
        annotations: {
          "node.alpha.kubernetes.io/ttl": "0",
          "volumes.kubernetes.io/controller-managed-attach-detach": "true",
        },
      },
      spec: {
        podCIDR: `10.244.${i}.0/24`,
        podCIDRs: [`10.244.${i}.0/24`],
        providerID: `aws:///${zone}/i-0${hex(`${seed}/instance`, 16)}`,
      },
      status: {
        capacity: { ...CAPACITY },
        allocatable: { ...ALLOCATABLE },
        conditions: healthyNodeConditions(at),
        addresses: [
          { type: "InternalIP", address: ip },
          { type: "Hostname", address: name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          architecture: "amd64",
          bootID: uuid(`${seed}/boot`),
          containerRuntimeVersion: "containerd://1.7.24",
          kernelVersion: "6.8.0-1021-aws",
          kubeProxyVersion: KUBELET_VERSION,
          kubeletVersion: KUBELET_VERSION,
          machineID: hex(`${seed}/machine`, 32),
          operatingSystem: "linux",
          osImage: "Ubuntu 24.04.1 LTS",
          systemUUID: uuid(`${seed}/system`),
        },
      },
    };
  });
}
