import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig, ConfigError, describeConfig } from "./config.js";

describe("config", () => {
  it("runs on embedded defaults when nothing is set", () => {
    const c = loadConfig({});
    expect(c.database.url).toBeUndefined();
    expect(c.database.embeddedPort).toBe(54329);
    expect(c.ports).toEqual({ sandbox: 7070, scarlet: 7080, jamie: 3000, prometheus: 9090, alertmanager: 9093 });
    expect(c.urls.scarlet).toBe("http://127.0.0.1:7080");
    expect(c.llm).toEqual({ provider: "none" });
    expect(c.slack).toEqual({ mode: "off" });
  });

  it("names every bad variable in one error, with what it expects", () => {
    const r = parseConfig({
      LOG_LEVEL: "loud",
      SCARLET_PORT: "abc",
      DATABASE_URL: "mysql://db/x",
      REDIS_URL: "not a url",
      SLACK_BOT_TOKEN: "wrong",
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.map((i) => i.variable).sort()).toEqual(["DATABASE_URL", "LOG_LEVEL", "REDIS_URL", "SCARLET_PORT", "SLACK_BOT_TOKEN"]);
    const message = new ConfigError(r.error).message;
    expect(message).toContain("5 environment variables need fixing");
    expect(message).toMatch(/LOG_LEVEL: expected one of fatal, error, warn, info/);
    expect(message).toMatch(/SCARLET_PORT: expected a TCP port number \(got "abc"\)/);
    expect(message).toMatch(/DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL/);
  });

  it("never prints a secret's value, nor the password in a URL", () => {
    const r = parseConfig({ SLACK_SIGNING_SECRET: "short", DATABASE_URL: "mysql://admin:hunter2@db/x", SLACK_BOT_TOKEN: "xoxb-1" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const message = new ConfigError(r.error).message;
    expect(message).toContain("SLACK_SIGNING_SECRET");
    expect(message).not.toContain("short");
    expect(message).not.toContain("hunter2");
    expect(message).toContain("admin:[Redacted]@db");
  });

  it("refuses Slack settings that cannot work together", () => {
    const onlyBot = parseConfig({ SLACK_BOT_TOKEN: "xoxb-123-abc" });
    expect(onlyBot.ok || onlyBot.error.map((i) => i.variable)).toEqual(["SLACK_SIGNING_SECRET"]);
    const orphan = parseConfig({ SLACK_APP_TOKEN: "xapp-1-abc" });
    expect(orphan.ok || orphan.error.map((i) => i.variable)).toEqual(["SLACK_APP_TOKEN"]);
    const socket = loadConfig({ SLACK_BOT_TOKEN: "xoxb-123-abc", SLACK_APP_TOKEN: "xapp-1-abc" });
    expect(socket.slack.mode).toBe("socket");
    const http = loadConfig({ SLACK_BOT_TOKEN: "xoxb-123-abc", SLACK_SIGNING_SECRET: "0123456789abcdef0" });
    expect(http.slack.mode).toBe("http");
  });

  it("requires real services and explicit tokens in production", () => {
    const r = parseConfig({ NODE_ENV: "production" });
    expect(r.ok || r.error.map((i) => i.variable).sort()).toEqual(["AUTODEVOPS_API_KEY", "AUTODEVOPS_APPROVER_TOKEN", "DATABASE_URL"]);
  });

  it("reads the portal's users and names a malformed entry without echoing it", () => {
    const r = parseConfig({ JAMIE_USERS: "alice:approver:scrypt$c2FsdA$aGFzaA,bob:viewer:scrypt$c2FsdA$aGFzaA" });
    expect(r.ok && r.value.portal.users).toEqual([
      { name: "alice", role: "approver", passwordHash: "scrypt$c2FsdA$aGFzaA" },
      { name: "bob", role: "viewer", passwordHash: "scrypt$c2FsdA$aGFzaA" },
    ]);
    const bad = parseConfig({ JAMIE_USERS: "alice:root:hunter2" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error[0]).toMatchObject({ variable: "JAMIE_USERS", expected: expect.stringMatching(/viewer, approver or admin/) });
      expect(JSON.stringify(bad.error)).not.toContain("hunter2");
    }
  });

  it("refuses two components on one port", () => {
    const r = parseConfig({ JAMIE_PORT: "7080" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error[0]).toMatchObject({ variable: "JAMIE_PORT", expected: expect.stringMatching(/SCARLET_PORT/) });
  });

  it("counts Prometheus's and Alertmanager's ports only when npm start runs them (no external URL)", () => {
    const r = parseConfig({ PROMETHEUS_PORT: "3000" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error[0]).toMatchObject({ variable: "PROMETHEUS_PORT", expected: expect.stringMatching(/JAMIE_PORT/) });
    expect(parseConfig({ PROMETHEUS_PORT: "3000", PROMETHEUS_URL: "http://prom.example:9090" }).ok).toBe(true);
  });

  it("treats empty values as unset", () => {
    const c = loadConfig({ DATABASE_URL: "", LOG_LEVEL: " ", REDIS_URL: "" });
    expect(c.database.url).toBeUndefined();
    expect(c.logLevel).toBe("info");
  });

  it("picks OpenAI over Ollama when both are configured", () => {
    const c = loadConfig({ OPENAI_API_KEY: "sk-0123456789", OLLAMA_BASE_URL: "http://127.0.0.1:11434" });
    expect(c.llm.provider).toBe("openai");
    expect(loadConfig({ OLLAMA_BASE_URL: "http://127.0.0.1:11434" }).llm).toEqual({
      provider: "ollama",
      baseUrl: "http://127.0.0.1:11434",
      model: "llama3.1",
    });
  });

  it("describes the configuration for a log without secrets", () => {
    const env = { OPENAI_API_KEY: "sk-0123456789", DATABASE_URL: "postgres://u:pw@h/db" };
    const described = describeConfig(loadConfig(env), env);
    expect(described).toMatchObject({ OPENAI_API_KEY: "[set]", DATABASE_URL: "postgres://u:[Redacted]@h/db", llm: "openai" });
    expect(JSON.stringify(described)).not.toContain("sk-0123456789");
  });

  it("keeps Scarlet to one replica unless leader election is asked for, and reads the lease settings when it is", () => {
    expect(loadConfig({}).scarletLeaderElection).toMatchObject({ enabled: false, replicaId: undefined, leaseName: "scarlet-leader", leaseNamespace: "default", leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 });
    // "false" is false (z.coerce.boolean would read it as true).
    expect(loadConfig({ SCARLET_LEADER_ELECTION: "false" }).scarletLeaderElection.enabled).toBe(false);
    const on = loadConfig({ SCARLET_LEADER_ELECTION: "true", SCARLET_REPLICA_ID: "scarlet-0", SCARLET_LEASE_NAME: "scarlet", SCARLET_LEASE_NAMESPACE: "autodevops", SCARLET_LEASE_DURATION_SECONDS: "6", SCARLET_LEASE_RENEW_DEADLINE_SECONDS: "4", SCARLET_LEASE_RETRY_PERIOD_SECONDS: "0.5" });
    expect(on.scarletLeaderElection).toEqual({ enabled: true, replicaId: "scarlet-0", leaseName: "scarlet", leaseNamespace: "autodevops", leaseDurationMs: 6000, renewDeadlineMs: 4000, retryPeriodMs: 500 });
  });

  it("refuses lease timings where a leader could still act after others may take its lease, and bad names", () => {
    const r = parseConfig({ SCARLET_LEASE_DURATION_SECONDS: "10", SCARLET_LEASE_RENEW_DEADLINE_SECONDS: "10", SCARLET_LEASE_RETRY_PERIOD_SECONDS: "12" });
    expect(r.ok || r.error.map((i) => i.variable).sort()).toEqual(["SCARLET_LEASE_RENEW_DEADLINE_SECONDS", "SCARLET_LEASE_RETRY_PERIOD_SECONDS"]);
    const names = parseConfig({ SCARLET_LEADER_ELECTION: "yes", SCARLET_LEASE_NAME: "Scarlet_Lease", SCARLET_LEASE_NAMESPACE: "a.b" });
    expect(names.ok || names.error.map((i) => i.variable).sort()).toEqual(["SCARLET_LEADER_ELECTION", "SCARLET_LEASE_NAME", "SCARLET_LEASE_NAMESPACE"]);
  });
});
