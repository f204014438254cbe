import { describe, expect, it } from "vitest";
import { ADMIN, authenticate, authorize, JAMIE, SCARLET, type Request } from "./auth.js";

const tokens = { admin: "admin-token", scarlet: "scarlet-token", jamie: "jamie-token" };
const req = (verb: string, resource: string, extra: Partial<Request> = {}): Request => ({ verb, resource, group: "", namespace: "shop", ...extra });

describe("the sandbox's identities", () => {
  it("knows jamie's token as the jamie service account, and no token at all as nobody", () => {
    expect(authenticate("Bearer jamie-token", tokens)).toEqual(JAMIE);
    expect(JAMIE.user).toBe("system:serviceaccount:autodevops:jamie");
    expect(authenticate("Bearer scarlet-token", tokens)).toEqual(SCARLET);
    expect(authenticate("Bearer admin-token", tokens)).toEqual(ADMIN);
    expect(authenticate("Bearer someone-else", tokens)).toBeUndefined();
    expect(authenticate(undefined, tokens)).toBeUndefined();
  });

  it("does not let jamie's token in where the sandbox was started without one", () => {
    expect(authenticate("Bearer jamie-token", { admin: "a", scarlet: "s" })).toBeUndefined();
  });
});

describe("what jamie may do: read what Scarlet reads, write nothing", () => {
  it("may get, list and watch pods, their logs, deployments and events", () => {
    for (const verb of ["get", "list", "watch"]) expect(authorize(JAMIE, req(verb, "pods"))).toBe(true);
    expect(authorize(JAMIE, req("get", "pods", { subresource: "log" }))).toBe(true);
    expect(authorize(JAMIE, req("list", "deployments", { group: "apps" }))).toBe(true);
    expect(authorize(JAMIE, req("list", "events"))).toBe(true);
    expect(authorize(JAMIE, req("list", "nodes", { namespace: undefined }))).toBe(true);
  });

  it("may not patch a deployment, delete a pod, evict, scale, cordon or write events, which Scarlet may", () => {
    const writes: Request[] = [
      req("patch", "deployments", { group: "apps" }),
      req("update", "deployments", { group: "apps" }),
      req("patch", "deployments", { group: "apps", subresource: "scale" }),
      req("delete", "pods"),
      req("create", "pods", { subresource: "eviction" }),
      req("patch", "nodes", { namespace: undefined }),
      req("create", "events"),
      req("update", "leases", { group: "coordination.k8s.io" }),
    ];
    for (const w of writes) {
      expect(authorize(SCARLET, w), `scarlet ${w.verb} ${w.resource}`).toBe(true);
      expect(authorize(JAMIE, w), `jamie ${w.verb} ${w.resource}`).toBe(false);
    }
  });

  it("may not read Secrets, nor anything Scarlet may not touch", () => {
    for (const verb of ["get", "list", "watch"]) expect(authorize(JAMIE, req(verb, "secrets"))).toBe(false);
    expect(authorize(JAMIE, req("delete", "namespaces", { namespace: undefined }))).toBe(false);
    expect(authorize(JAMIE, req("create", "deployments", { group: "apps" }))).toBe(false);
    expect(authorize(JAMIE, req("deletecollection", "pods"))).toBe(false);
  });
});
