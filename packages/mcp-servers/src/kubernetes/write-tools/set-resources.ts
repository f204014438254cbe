import * as k8s from "@kubernetes/client-node";
import { ActionParams } from "@autodevops/shared";
import { ToolError } from "../../core/tool-error.js";
import { objectDiff } from "../object-diff.js";
import { patchWorkload, readWorkload } from "../workloads.js";
import { writeTool, type WriteDeps } from "./write-tool.js";

/** set_resources: patches one container's requests/limits in a Deployment's template, as kubectl set resources does. */
export const setResourcesTool = (deps: WriteDeps) =>
  writeTool(
    {
      kind: "set-resources",
      title: "Set resources",
      description: "Changes a Deployment container's CPU/memory requests and/or limits (default: the first container); the keys not given stay as they are. The Deployment rolls out new pods with them.",
      params: ActionParams["set-resources"],
      target: "The Deployment",
      idempotent: true,
      perform: async ({ c, namespace, target, params, dryRun }) => {
        const before = await readWorkload(c, "Deployment", namespace, target);
        const containers = before.spec?.template.spec?.containers ?? [];
        const name = params.container ?? containers[0]?.name;
        if (!name || !containers.some((x) => x.name === name)) {
          throw new ToolError(`Deployment ${namespace}/${target} has no container "${params.container ?? ""}"; its containers: ${containers.map((x) => x.name).join(", ")}. Nothing was changed`);
        }
        const resources = { ...(params.requests ? { requests: params.requests } : {}), ...(params.limits ? { limits: params.limits } : {}) };
        const body = { spec: { template: { spec: { containers: [{ name, resources }] } } } };
        const after = await patchWorkload(c, "Deployment", namespace, target, body, k8s.PatchStrategy.StrategicMergePatch, dryRun);
        const diff = objectDiff(`deployment/${namespace}/${target}`, before, after);
        const now = after.spec?.template.spec?.containers.find((x) => x.name === name)?.resources ?? {};
        return { changed: diff !== "", diff, state: { container: name, resources: { requests: now.requests ?? {}, limits: now.limits ?? {} } }, notes: diff ? [] : ["the container already has these resources"] };
      },
    },
    deps,
  );
