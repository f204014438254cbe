import type { Container } from "./kube-shapes.js";

/** Reads a ConfigMap's or Secret's keys (data and binaryData), or undefined when it does not exist. */
export type ConfigSource = {
  configMap(namespace: string, name: string): Record<string, unknown> | undefined;
  secret(namespace: string, name: string): Record<string, unknown> | undefined;
};

/**
 * Why the kubelet cannot build a container's environment (CreateContainerConfigError), in the
 * kubelet's words, or undefined when every reference resolves. envFrom is checked first, then
 * env, as makeEnvironmentVariables does; optional references may be missing.
 */
export function envProblem(namespace: string, c: Container, source: ConfigSource): string | undefined {
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef?.name && !from.configMapRef.optional && !source.configMap(namespace, from.configMapRef.name)) {
      return `configmap "${from.configMapRef.name}" not found`;
    }
    if (from.secretRef?.name && !from.secretRef.optional && !source.secret(namespace, from.secretRef.name)) {
      return `secret "${from.secretRef.name}" not found`;
    }
  }
  for (const env of c.env ?? []) {
    const cm = env.valueFrom?.configMapKeyRef;
    if (cm?.name && !cm.optional) {
      const data = source.configMap(namespace, cm.name);
      if (!data) return `configmap "${cm.name}" not found`;
      if (!(cm.key in data)) return `couldn't find key ${cm.key} in ConfigMap ${namespace}/${cm.name}`;
    }
    const sec = env.valueFrom?.secretKeyRef;
    if (sec?.name && !sec.optional) {
      const data = source.secret(namespace, sec.name);
      if (!data) return `secret "${sec.name}" not found`;
      if (!(sec.key in data)) return `couldn't find key ${sec.key} in Secret ${namespace}/${sec.name}`;
    }
  }
  return undefined;
}
