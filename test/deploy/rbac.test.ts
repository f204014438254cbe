import { describe, expect, it } from "vitest";
import { z } from "zod";
import { authorize, JAMIE, SCARLET, type Identity } from "../../packages/sandbox/src/api/auth.js";
import { RESOURCE_TYPES } from "../../packages/sandbox/src/store/resources.js";
import { find, OVERLAYS, renderOverlay, type KubeObject } from "./manifests.js";

/**
 * The RBAC in the manifests grants Scarlet's and Jamie's service accounts exactly what the
 * sandbox's authorizer grants them (packages/sandbox/src/api/auth.ts, the one table of what
 * Scarlet's action vocabulary needs and of what Jamie reads): the expectation is read from that
 * module by asking it about every resource, subresource and verb the sandbox serves, not copied.
 */

const PolicyRule = z
  .object({
    apiGroups: z.array(z.string()).min(1),
    resources: z.array(z.string()).min(1),
    verbs: z.array(z.string()).min(1),
  })
  .strict();
type PolicyRule = z.infer<typeof PolicyRule>;
const RoleObject = z.object({ kind: z.enum(["Role", "ClusterRole"]), metadata: z.object({ name: z.string(), namespace: z.string().optional() }).loose(), rules: z.array(PolicyRule) });
const Binding = z.object({
  kind: z.enum(["RoleBinding", "ClusterRoleBinding"]),
  metadata: z.object({ name: z.string(), namespace: z.string().optional() }).loose(),
  roleRef: z.object({ apiGroup: z.literal("rbac.authorization.k8s.io"), kind: z.enum(["Role", "ClusterRole"]), name: z.string() }),
  subjects: z.array(z.object({ kind: z.string(), name: z.string(), namespace: z.string().optional() })),
});
type Binding = z.infer<typeof Binding>;

/** Every verb the sandbox serves on any resource, and the RBAC-only verbs nobody should hold. */
const VERBS = [...new Set([...RESOURCE_TYPES.flatMap((t) => t.verbs), "escalate", "bind", "impersonate", "use", "approve", "sign"])].sort();
/** Every (group, resource or resource/subresource) the sandbox serves. */
const RESOURCES = RESOURCE_TYPES.flatMap((t) => [{ group: t.group, resource: t.plural }, ...t.subresources.map((s) => ({ group: t.group, resource: `${t.plural}/${s}` }))]);

const sandboxAllows = (who: Identity, group: string, resource: string, verb: string) => {
  const [plural = "", subresource] = resource.split("/");
  return authorize(who, { verb, group, resource: plural, ...(subresource ? { subresource } : {}) });
};
const rulesAllow = (rules: PolicyRule[], group: string, resource: string, verb: string) =>
  rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));

/** The bindings whose subject is a service account, and the roles they bind. */
function grantsTo(objects: KubeObject[], namespace: string, account: string): { binding: Binding; role: z.infer<typeof RoleObject> }[] {
  return objects
    .filter((o) => o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding")
    .map((o) => Binding.parse(o))
    .filter((b) => b.subjects.some((s) => s.kind === "ServiceAccount" && s.name === account && s.namespace === namespace))
    .map((binding) => ({ binding, role: RoleObject.parse(find(objects, binding.roleRef.kind, binding.roleRef.name)) }));
}

/** `system:serviceaccount:<namespace>:<name>`: a sandbox identity names the account the manifests bind. */
const accountOf = (who: Identity) => {
  const [, namespace = "", account = ""] = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(who.user) ?? [];
  return { namespace, account };
};
const { namespace: scarletNamespace, account: scarletAccount } = accountOf(SCARLET);

describe.each(OVERLAYS.flatMap((overlay) => [SCARLET, JAMIE].map((who) => ({ overlay, who, app: accountOf(who).account }))))("$app's RBAC in the $overlay overlay", ({ overlay, who, app }) => {
  const objects = renderOverlay(overlay);
  const { namespace, account } = accountOf(who);
  const rules = grantsTo(objects, namespace, account).flatMap((g) => g.role.rules);

  it("binds the account the Deployment runs as, the identity the sandbox authorizes", () => {
    const spec = z.object({ spec: z.object({ template: z.object({ spec: z.object({ serviceAccountName: z.string() }).loose() }) }).loose() }).parse(find(objects, "Deployment", app));
    expect(spec.spec.template.spec.serviceAccountName).toBe(account);
    expect(find(objects, "ServiceAccount", account).metadata.namespace).toBe(namespace);
    expect(rules.length).toBeGreaterThan(0);
  });

  it("grants exactly what the sandbox's authorizer grants: every served resource, subresource and verb", () => {
    const mismatches: string[] = [];
    for (const { group, resource } of RESOURCES) {
      for (const verb of VERBS) {
        const want = sandboxAllows(who, group, resource, verb);
        if (want !== rulesAllow(rules, group, resource, verb)) mismatches.push(`${want ? "missing" : "extra"}: ${verb} ${group || "core"}/${resource}`);
      }
    }
    expect(mismatches).toEqual([]);
    // The comparison is not empty-handed: the sandbox grants this account a good part of the estate.
    expect(RESOURCES.filter(({ group, resource }) => VERBS.some((v) => sandboxAllows(who, group, resource, v))).length).toBeGreaterThan(15);
  });

  it("names only resources the sandbox serves, with no wildcard, resource names or non-resource URLs, and nothing on Secrets", () => {
    const served = new Set(RESOURCES.map((r) => `${r.group}|${r.resource}`));
    for (const r of rules) {
      for (const g of r.apiGroups) for (const res of r.resources) expect(served.has(`${g}|${res}`), `${g}/${res}`).toBe(true);
      expect([...r.apiGroups, ...r.resources, ...r.verbs]).not.toContain("*");
      expect(r.resources.filter((x) => x.startsWith("secrets"))).toEqual([]);
    }
  });
});

describe.each(OVERLAYS)("Scarlet's bindings in the %s overlay", (overlay) => {
  const objects = renderOverlay(overlay);
  const grants = grantsTo(objects, scarletNamespace, scarletAccount);

  it("are the ClusterRole for the estate and the Role for leader election", () => {
    expect(grants.map((g) => `${g.binding.kind}/${g.binding.metadata.name} -> ${g.role.kind}/${g.role.metadata.name}`).sort()).toEqual([
      "ClusterRoleBinding/autodevops-scarlet -> ClusterRole/autodevops-scarlet",
      "RoleBinding/scarlet-leader-election -> Role/scarlet-leader-election",
    ]);
  });

  it("write Leases only in its own namespace, through the Role; the ClusterRole only reads them", () => {
    const leaseWrites = (rs: PolicyRule[]) => ["create", "update", "patch", "delete"].filter((v) => rulesAllow(rs, "coordination.k8s.io", "leases", v));
    const cluster = grants.filter((g) => g.role.kind === "ClusterRole").flatMap((g) => g.role.rules);
    const namespaced = grants.filter((g) => g.role.kind === "Role");
    expect(leaseWrites(cluster)).toEqual([]);
    expect(namespaced.map((g) => [g.binding.metadata.namespace, g.role.metadata.namespace, leaseWrites(g.role.rules)])).toEqual([[scarletNamespace, scarletNamespace, ["create", "update", "patch"]]]);
    // The Lease Scarlet contends for lives where the Role applies.
    const config = z.object({ data: z.record(z.string(), z.string()) }).parse(find(objects, "ConfigMap", "autodevops-config")).data;
    expect(config.SCARLET_LEASE_NAMESPACE).toBe(scarletNamespace);
    expect(config.SCARLET_LEADER_ELECTION).toBe("true");
  });
});

describe.each(OVERLAYS)("Jamie's RBAC in the %s overlay", (overlay) => {
  it("only reads", () => {
    const { namespace, account } = accountOf(JAMIE);
    const rules = grantsTo(renderOverlay(overlay), namespace, account).flatMap((g) => g.role.rules);
    expect([...new Set(rules.flatMap((r) => r.verbs))].sort()).toEqual(["get", "list", "watch"]);
  });
});
