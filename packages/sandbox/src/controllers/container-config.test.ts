import { describe, expect, it } from "vitest";
import { goDuration, pullBackoffSeconds, restartBackoffSeconds } from "./backoff.js";
import { envProblem, type ConfigSource } from "./container-config.js";
import { imageNotFoundMessage, normalizeImage } from "./image-ref.js";

const source: ConfigSource = {
  configMap: (_ns, name) => (name === "cfg" ? { LOG_LEVEL: "info" } : undefined),
  secret: (_ns, name) => (name === "creds" ? { password: "x" } : undefined),
};

describe("container environment", () => {
  it("names the missing ConfigMap, key or Secret as the kubelet does", () => {
    const c = (env: object[], envFrom: object[] = []) => ({ name: "app", env, envFrom }) as never;
    expect(envProblem("shop", c([{ name: "A", valueFrom: { configMapKeyRef: { name: "cfg", key: "LOG_LEVEL" } } }]), source)).toBeUndefined();
    expect(envProblem("shop", c([{ name: "A", valueFrom: { configMapKeyRef: { name: "cfg", key: "MISSING" } } }]), source)).toBe("couldn't find key MISSING in ConfigMap shop/cfg");
    expect(envProblem("shop", c([{ name: "A", valueFrom: { configMapKeyRef: { name: "gone", key: "K" } } }]), source)).toBe('configmap "gone" not found');
    expect(envProblem("shop", c([{ name: "A", valueFrom: { configMapKeyRef: { name: "gone", key: "K", optional: true } } }]), source)).toBeUndefined();
    expect(envProblem("shop", c([{ name: "P", valueFrom: { secretKeyRef: { name: "creds", key: "user" } } }]), source)).toBe("couldn't find key user in Secret shop/creds");
    expect(envProblem("shop", c([], [{ configMapRef: { name: "other" } }]), source)).toBe('configmap "other" not found');
  });
});

describe("back-off", () => {
  it("restarts at once after the first exit, then waits 10s, 20s, 40s … up to 5m", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(restartBackoffSeconds)).toEqual([0, 10, 20, 40, 80, 160, 300, 300]);
    expect([1, 2, 3].map(pullBackoffSeconds)).toEqual([10, 20, 40]);
    expect([10, 80, 300].map(goDuration)).toEqual(["10s", "1m20s", "5m0s"]);
  });
});

describe("image references", () => {
  it("resolves short names to docker.io as containerd does", () => {
    expect(normalizeImage("nginx")).toBe("docker.io/library/nginx:latest");
    expect(normalizeImage("shop/web:1.2")).toBe("docker.io/shop/web:1.2");
    expect(normalizeImage("registry.example.com/shop/web:1.2")).toBe("registry.example.com/shop/web:1.2");
    expect(imageNotFoundMessage("nginx:9")).toBe(
      'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:9": failed to resolve reference "docker.io/library/nginx:9": docker.io/library/nginx:9: not found',
    );
  });
});
