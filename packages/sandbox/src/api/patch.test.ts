import { describe, expect, it } from "vitest";
import { jsonPatch, mergePatch, strategicMergePatch } from "./patch.js";

type Json = Parameters<typeof mergePatch>[0];

const pod: Json = {
  spec: {
    containers: [
      { name: "app", image: "app:1", env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] },
      { name: "sidecar", image: "proxy:1" },
    ],
  },
  metadata: { finalizers: ["a"] },
};

describe("patches", () => {
  it("merge patch replaces lists and removes null fields", () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null }, l: [3] })).toEqual({ a: 1, b: { d: 3 }, l: [3] });
  });

  it("strategic merge matches containers and env by name instead of replacing the list", () => {
    const r = strategicMergePatch(pod, { spec: { containers: [{ name: "app", image: "app:2", env: [{ name: "B", value: "3" }] }] } });
    expect(r.ok && r.value).toEqual({
      spec: {
        containers: [
          { name: "app", image: "app:2", env: [{ name: "A", value: "1" }, { name: "B", value: "3" }] },
          { name: "sidecar", image: "proxy:1" },
        ],
      },
      metadata: { finalizers: ["a"] },
    });
  });

  it("strategic merge honours $patch: delete and replace, and merges finalizers as a set", () => {
    const del = strategicMergePatch(pod, { spec: { containers: [{ name: "sidecar", $patch: "delete" }] }, metadata: { finalizers: ["a", "b"] } });
    expect(del.ok && del.value).toMatchObject({ spec: { containers: [{ name: "app" }] }, metadata: { finalizers: ["a", "b"] } });
    const rep = strategicMergePatch(pod, { spec: { $patch: "replace", containers: [{ name: "only", image: "x" }] } });
    expect(rep.ok && rep.value).toMatchObject({ spec: { containers: [{ name: "only", image: "x" }] } });
  });

  it("strategic merge refuses a list element without its merge key", () => {
    const r = strategicMergePatch(pod, { spec: { containers: [{ image: "nameless" }] } });
    expect(r.ok).toBe(false);
  });

  it("JSON patch applies operations in order and fails whole on a failed test", () => {
    const r = jsonPatch({ a: [1, 2] }, [{ op: "add", path: "/a/-", value: 3 }, { op: "replace", path: "/a/0", value: 0 }]);
    expect(r.ok && r.value).toEqual({ a: [0, 2, 3] });
    const failed = jsonPatch({ a: 1 }, [{ op: "test", path: "/a", value: 2 }, { op: "replace", path: "/a", value: 5 }]);
    expect(failed.ok).toBe(false);
    expect(jsonPatch({}, { not: "an array" }).ok).toBe(false);
  });
});
