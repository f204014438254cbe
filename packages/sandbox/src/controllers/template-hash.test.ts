import { describe, expect, it } from "vitest";
import { sameTemplate, templateHash } from "./template-hash.js";

const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } };

describe("pod-template-hash", () => {
  it("is stable, made of the safe alphabet, and blind to key order, null fields and its own label", () => {
    const hash = templateHash(template);
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    expect(templateHash({ spec: { containers: [{ image: "nginx:1.27", name: "web" }] }, metadata: { labels: { app: "web" }, creationTimestamp: null } } as never)).toBe(hash);
    expect(templateHash({ ...template, metadata: { labels: { app: "web", "pod-template-hash": hash } } })).toBe(hash);
  });

  it("changes with the template and with a collision count", () => {
    const hash = templateHash(template);
    expect(templateHash({ ...template, spec: { containers: [{ name: "web", image: "nginx:1.28" }] } })).not.toBe(hash);
    expect(templateHash(template, 1)).not.toBe(hash);
  });

  it("compares a ReplicaSet's template with its Deployment's as equal", () => {
    expect(sameTemplate(template, { ...template, metadata: { labels: { app: "web", "pod-template-hash": "abc" }, annotations: {} } })).toBe(true);
    expect(sameTemplate(template, { ...template, metadata: { labels: { app: "web" }, annotations: { "kubectl.kubernetes.io/restartedAt": "now" } } })).toBe(false);
  });
});
