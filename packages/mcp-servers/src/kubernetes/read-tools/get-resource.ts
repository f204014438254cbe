import { z } from "zod";
import { K8sName } from "@autodevops/shared";
import { defineTool } from "../../core/define-tool.js";
import { clusterArg, type ReadDeps } from "../inputs.js";
import { k8sCall } from "../k8s-errors.js";
import { objectYaml } from "../object-diff.js";

/** The most YAML one object returns. */
const MAX_YAML_CHARS = 16_000;

/** get_resource: any object by apiVersion, kind and name, as YAML (Secrets: metadata and keys only). */
export const getResourceTool = ({ clusters }: ReadDeps) =>
  defineTool({
    name: "get_resource",
    title: "Get resource",
    description: "Any Kubernetes object by apiVersion, kind and name (namespace for namespaced kinds), as YAML without managedFields. A Secret shows its metadata and keys, never its values.",
    input: z.object({
      cluster: clusterArg,
      apiVersion: z.string().regex(/^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/, 'expected an apiVersion such as "v1" or "apps/v1"').describe('e.g. "v1", "apps/v1", "policy/v1", "networking.k8s.io/v1"'),
      kind: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'expected a kind such as "Deployment" (capitalised, singular)').describe('e.g. "Pod", "Deployment", "ConfigMap", "NetworkPolicy"'),
      name: K8sName.describe("The object's name"),
      namespace: K8sName.optional().describe("Namespace; required for namespaced kinds, omit for cluster-scoped ones (Node, Namespace)"),
    }),
    output: z.object({ apiVersion: z.string(), kind: z.string(), name: z.string(), namespace: z.string().optional(), truncated: z.boolean(), yaml: z.string() }),
    kind: "read",
    run: async ({ cluster, apiVersion, kind, name, namespace }) => {
      const c = clusters.get(cluster);
      const obj = await k8sCall(`reading ${kind} ${namespace ? `${namespace}/` : ""}${name} (${apiVersion}) in ${cluster}`, () =>
        c.objects.read({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } }),
      );
      // Secrets are scrubbed by objectYaml before rendering: YAML text would pass the core's scrubbing by.
      const yaml = objectYaml({ ...obj, apiVersion, kind });
      const truncated = yaml.length > MAX_YAML_CHARS;
      const text = truncated ? `${yaml.slice(0, yaml.lastIndexOf("\n", MAX_YAML_CHARS))}\n# … cut: the object is longer than ${MAX_YAML_CHARS} characters; use describe or a list tool for the parts you need` : yaml;
      return {
        summary: `${kind} ${namespace ? `${namespace}/` : ""}${name} in ${cluster}`,
        data: { apiVersion, kind, name, ...(namespace ? { namespace } : {}), truncated, yaml: text },
      };
    },
  });
