import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { startSandboxFixture } from "../sandbox/sandbox-fixture.js";
import { kustomizeText, KubeObject } from "./manifests.js";

/**
 * The demo overlay against a running sandbox cluster, by the machine's kubectl:
 * `kubectl apply --dry-run=server` sends every object to the API server, which validates and
 * admits it without storing it. The namespace is created first, for real, as it must be on a
 * real cluster (a dry-run namespace does not exist for the objects that go in it).
 */

let f: Awaited<ReturnType<typeof startSandboxFixture>>;
beforeAll(async () => {
  f = await startSandboxFixture();
});
afterAll(async () => {
  await f?.sandbox.stop();
});

const demo = kustomizeText("deploy/overlays/demo");
const objects = parseAllDocuments(demo).map((d) => KubeObject.parse(d.toJS()));
/** kubectl's name for an object in apply's output: `deployment.apps/scarlet`, `configmap/autodevops-config`. */
const applyName = (o: KubeObject) => {
  const group = o.apiVersion.includes("/") ? `.${o.apiVersion.split("/")[0]}` : "";
  return `${o.kind.toLowerCase()}${group}/${o.metadata.name}`;
};

describe("the demo overlay against the sandbox's API server", () => {
  it("passes `kubectl apply --dry-run=server`: every object admitted, none stored", async () => {
    await f.kubectl(["--context", "prod", "create", "namespace", "autodevops"]);
    const before = f.sandbox.mutations.since().length;
    const out = await f.kubectl(["--context", "prod", "apply", "--dry-run=server", "-f", "-"], { input: demo });
    const lines = out.trim().split("\n");
    expect(lines).toHaveLength(objects.length);
    for (const o of objects) {
      const verb = o.kind === "Namespace" ? "configured" : "created";
      expect(lines, applyName(o)).toContain(`${applyName(o)} ${verb} (server dry run)`);
    }
    expect(f.sandbox.mutations.since().slice(before)).toEqual([]);
    expect(await f.kubectl(["--context", "prod", "get", "deployments,serviceaccounts,networkpolicies", "-n", "autodevops", "-o", "name"])).not.toMatch(/scarlet|jamie|default-deny/);
    expect(await f.kubectl(["--context", "prod", "get", "clusterroles", "-o", "name"])).not.toMatch(/autodevops-scarlet/);
  });

  it("is refused by the same server when an object is invalid, so the dry run above is a real check", async () => {
    // Scarlet's pod template no longer carries the labels its selector asks for.
    const broken = objects
      .map((o) => (o.kind === "Deployment" && o.metadata.name === "scarlet" ? { ...o, spec: { ...(o.spec as object), template: { metadata: { labels: { app: "x" } }, spec: (o.spec as { template: { spec: unknown } }).template.spec } } } : o))
      .map((o) => stringify(o))
      .join("---\n");
    const failure = await f.kubectl(["--context", "prod", "apply", "--dry-run=server", "-f", "-"], { input: broken }).then(
      () => "applied",
      (e: Error) => e.message,
    );
    expect(failure).toMatch(/Deployment "scarlet" is invalid: spec\.template\.metadata\.labels: .*`selector` does not match template `labels`/);
  });
});
