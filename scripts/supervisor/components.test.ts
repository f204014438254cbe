import { describe, expect, it } from "vitest";
import { loadConfig } from "../../packages/shared/src/config/config.js";
import { localBase, planComponents, skipReason } from "./components.js";
import { componentEnv, resolveRuntime } from "./runtime-env.js";

describe("planComponents", () => {
  it("runs an embedded Postgres first when DATABASE_URL is unset", () => {
    const config = loadConfig({ EMBEDDED_PG_PORT: "55000" });
    const plan = planComponents(config, "postgres://postgres:pw@127.0.0.1:55000/autodevops");
    expect(plan.map((c) => c.name)).toEqual(["postgres", "migrate", "sandbox", "alert-receiver", "alertmanager", "prometheus", "scarlet", "jamie"]);
    expect(plan[0]).toMatchObject({ port: { number: 55000, variable: "EMBEDDED_PG_PORT" }, probe: { kind: "postgres" }, readyWithinMs: 60_000 });
  });

  it("leaves Postgres out when DATABASE_URL names one", () => {
    const url = "postgres://app:pw@db.example:5432/app";
    const plan = planComponents(loadConfig({ DATABASE_URL: url }), url);
    expect(plan.map((c) => c.name)).toEqual(["migrate", "sandbox", "alert-receiver", "alertmanager", "prometheus", "scarlet", "jamie"]);
  });

  it("runs Prometheus and Alertmanager on their ports, probed at /-/ready, after the sandbox", () => {
    const config = loadConfig({ PROMETHEUS_PORT: "19090", ALERTMANAGER_PORT: "19093" });
    const byName = new Map(planComponents(config, "postgres://x@h/db").map((c) => [c.name, c]));
    expect(byName.get("prometheus")).toMatchObject({
      port: { number: 19090, variable: "PROMETHEUS_PORT" },
      url: "http://127.0.0.1:19090",
      probe: { kind: "http", url: "http://127.0.0.1:19090/-/ready" },
      program: { names: ["prometheus"], install: "apt-get install prometheus" },
      needs: ["deploy/prometheus/rules.yaml"],
    });
    expect(byName.get("alertmanager")).toMatchObject({
      port: { number: 19093, variable: "ALERTMANAGER_PORT" },
      probe: { kind: "http", url: "http://127.0.0.1:19093/-/ready" },
      program: { install: "apt-get install prometheus-alertmanager" },
    });
  });

  it("leaves out the Prometheus or Alertmanager whose URL names an external one", () => {
    const plan = planComponents(loadConfig({ PROMETHEUS_URL: "http://prom.example:9090" }), "postgres://x@h/db");
    expect(plan.map((c) => c.name)).toContain("alertmanager");
    expect(plan.map((c) => c.name)).not.toContain("prometheus");
    expect(planComponents(loadConfig({ ALERTMANAGER_URL: "http://am.example:9093" }), "postgres://x@h/db").map((c) => c.name)).not.toContain("alertmanager");
  });
});

describe("skipReason", () => {
  const byName = new Map(planComponents(loadConfig({}), "postgres://x@h/db").map((c) => [c.name, c]));
  const spec = (name: string) => {
    const s = byName.get(name as never);
    if (!s) throw new Error(`no ${name}`);
    return s;
  };
  const machine = (files: string[], programs: string[]) => ({
    fileExists: (f: string) => files.includes(f) || f.startsWith("scripts/") || f.startsWith("deploy/") || f.startsWith("packages/"),
    findProgram: (p: { names: string[] }) => p.names.find((n) => programs.includes(n)),
  });

  it("runs the alert receiver on Scarlet's port only until Scarlet is built", () => {
    expect(spec("alert-receiver").port).toMatchObject({ number: 7080, variable: "SCARLET_PORT" });
    expect(skipReason(spec("alert-receiver"), machine([], []))).toBeUndefined();
    expect(skipReason(spec("alert-receiver"), machine(["apps/scarlet/src/main.ts"], []))).toEqual({ reason: "replaced" });
    expect(skipReason(spec("scarlet"), machine([], []))).toEqual({ reason: "not built yet" });
  });

  it("skips a program that is not installed, saying how to install it, and accepts the upstream name", () => {
    expect(skipReason(spec("prometheus"), machine([], []))).toEqual({ reason: "not installed", install: "apt-get install prometheus" });
    expect(skipReason(spec("alertmanager"), machine([], ["alertmanager"]))).toBeUndefined();
    expect(skipReason(spec("alertmanager"), machine([], ["prometheus-alertmanager"]))).toBeUndefined();
  });

  it("probes services on the ports from the environment", () => {
    const config = loadConfig({ SANDBOX_PORT: "17070", SCARLET_PORT: "17080", JAMIE_PORT: "13000" });
    const byName = new Map(planComponents(config, "postgres://x@h/db").map((c) => [c.name, c]));
    expect(byName.get("sandbox")?.probe).toEqual({ kind: "http", url: "http://127.0.0.1:17070/healthz" });
    expect(byName.get("scarlet")?.probe).toEqual({ kind: "http", url: "http://127.0.0.1:17080/readyz" });
    expect(byName.get("jamie")?.probe).toEqual({ kind: "http", url: "http://127.0.0.1:13000/healthz" });
  });
});

describe("localBase", () => {
  it("probes a wildcard bind through loopback and brackets IPv6", () => {
    expect(localBase("0.0.0.0", 80)).toBe("http://127.0.0.1:80");
    expect(localBase("::", 80)).toBe("http://[::1]:80");
    expect(localBase("localhost", 80)).toBe("http://localhost:80");
  });
});

describe("resolveRuntime and componentEnv", () => {
  const given = { databaseUrl: "postgres://postgres:pw@127.0.0.1:54329/autodevops", dataDir: "/data" };

  it("generates the approver token and API key only when they are unset", () => {
    let n = 0;
    const secret = () => `generated-secret-${++n}`;
    expect(resolveRuntime(loadConfig({}), given, secret)).toMatchObject({
      approverToken: "generated-secret-1",
      apiKey: "generated-secret-2",
      generated: { approverToken: true, apiKey: true },
    });
    const set = loadConfig({ AUTODEVOPS_APPROVER_TOKEN: "given-token-0123456789", AUTODEVOPS_API_KEY: "given-key-0123456789" });
    expect(resolveRuntime(set, given, secret)).toMatchObject({
      approverToken: "given-token-0123456789",
      apiKey: "given-key-0123456789",
      generated: { approverToken: false, apiKey: false },
    });
  });

  it("hands every component the database URL, ports, URLs, tokens and log level", () => {
    const config = loadConfig({ LOG_LEVEL: "debug", SCARLET_PORT: "17080" });
    const env = componentEnv({ PATH: "/bin", DATABASE_URL: "" }, config, resolveRuntime(config, given, () => "s3cret-s3cret-s3cret"));
    expect(env).toMatchObject({
      PATH: "/bin",
      DATABASE_URL: given.databaseUrl,
      DATA_DIR: "/data",
      LOG_LEVEL: "debug",
      SCARLET_PORT: "17080",
      SCARLET_URL: "http://127.0.0.1:17080",
      AUTODEVOPS_APPROVER_TOKEN: "s3cret-s3cret-s3cret",
      AUTODEVOPS_API_KEY: "s3cret-s3cret-s3cret",
      AUTODEVOPS_ALERTS_TOKEN: "s3cret-s3cret-s3cret",
      PROMETHEUS_PORT: "9090",
      ALERTMANAGER_PORT: "9093",
    });
    expect(env.PROMETHEUS_URL).toBeUndefined();
    // What a component reads back must pass the same validation the supervisor applied.
    expect(loadConfig(env).database.url).toBe(given.databaseUrl);
  });

  it("hands later components the URLs of the Prometheus and Alertmanager this run starts, or the external ones", () => {
    const config = loadConfig({});
    const local = resolveRuntime(config, { ...given, prometheusUrl: "http://127.0.0.1:9090", alertmanagerUrl: "http://127.0.0.1:9093" }, () => "s3cret-s3cret-s3cret");
    expect(componentEnv({}, config, local)).toMatchObject({ PROMETHEUS_URL: "http://127.0.0.1:9090", ALERTMANAGER_URL: "http://127.0.0.1:9093" });
    const external = loadConfig({ PROMETHEUS_URL: "https://prom.example" });
    expect(componentEnv({}, external, resolveRuntime(external, given, () => "s3cret-s3cret-s3cret")).PROMETHEUS_URL).toBe("https://prom.example");
  });
});
