import { describe, expect, it } from "vitest";
import { parseEndpoints } from "@autodevops/shared";
import { upstreamsFromEnv } from "./from-env.js";
import { parseDuration, parseTime, resolveRange } from "./time-range.js";
import { apiPrefix } from "../loki/loki-api.js";

const NOW = new Date("2026-05-01T12:00:00Z");

describe("endpoints from one variable", () => {
  it("reads one URL for every cluster, or one named URL per cluster", () => {
    expect(parseEndpoints("http://prom:9090/", "PROMETHEUS_URL")).toEqual({ ok: true, value: [{ name: "default", url: "http://prom:9090" }] });
    expect(parseEndpoints("prod=https://127.0.0.1:7071/loki, staging=https://127.0.0.1:7072/loki", "LOKI_URL")).toEqual({
      ok: true,
      value: [
        { name: "prod", url: "https://127.0.0.1:7071/loki" },
        { name: "staging", url: "https://127.0.0.1:7072/loki" },
      ],
    });
  });

  it.each([
    ["", /is empty/],
    ["prod=https://a,https://b", /"https:\/\/b" has no name/],
    ["prod=ftp://a", /must be http/],
    ["prod=not a url", /is not a URL/],
    ["prod=http://a,prod=http://b", /"prod" is given twice/],
  ])("refuses %j naming what to fix", (value, message) => {
    const r = parseEndpoints(value, "LOKI_URL");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it("fails a server's start with every bad variable named", async () => {
    await expect(upstreamsFromEnv("TEMPO", {})).rejects.toThrow(/^TEMPO_URL: required: the tempo API/);
    await expect(upstreamsFromEnv("TEMPO", { TEMPO_URL: "http://t", TEMPO_TIMEOUT_MS: "soon" })).rejects.toThrow(/^TEMPO_TIMEOUT_MS: expected milliseconds$/);
    await expect(upstreamsFromEnv("LOKI", { LOKI_URL: "http://l", LOKI_CA_FILE: "/nonexistent/ca.pem" })).rejects.toThrow(/LOKI_CA_FILE: cannot read \/nonexistent\/ca.pem/);
    const ok = await upstreamsFromEnv("LOKI", { LOKI_URL: "prod=http://a/loki,staging=http://b/loki", LOKI_TOKEN: "t" });
    expect(ok.names).toEqual(["prod", "staging"]);
    ok.close();
  });

  it("puts Loki's API path after a base that lacks it", () => {
    expect(apiPrefix("https://10.0.0.1:6443/loki")).toBe("/api/v1");
    expect(apiPrefix("https://10.0.0.1:6443/loki/")).toBe("/api/v1");
    expect(apiPrefix("http://loki:3100")).toBe("/loki/api/v1");
  });
});

describe("times and durations", () => {
  it("reads durations, RFC3339, unix seconds and now-relative times", () => {
    expect(parseDuration("1h30m")).toEqual({ ok: true, value: 5_400_000 });
    expect(parseDuration("250ms")).toEqual({ ok: true, value: 250 });
    expect(parseDuration("5 minutes").ok).toBe(false);
    expect(parseTime("now-15m", NOW)).toEqual({ ok: true, value: NOW.getTime() - 900_000 });
    expect(parseTime("2026-05-01T11:00:00Z", NOW)).toEqual({ ok: true, value: NOW.getTime() - 3_600_000 });
    expect(parseTime("1777636800", NOW)).toEqual({ ok: true, value: 1_777_636_800_000 });
    expect(parseTime("1777636800.5", NOW)).toEqual({ ok: true, value: 1_777_636_800_500 });
    expect(parseTime("yesterday", NOW).ok).toBe(false);
  });

  it("resolves a range from start, since or the default, and refuses an inverted or too long one", () => {
    expect(resolveRange({ since: "10m" }, NOW, 3_600_000)).toEqual({ ok: true, value: { startMs: NOW.getTime() - 600_000, endMs: NOW.getTime() } });
    expect(resolveRange({}, NOW, 3_600_000)).toEqual({ ok: true, value: { startMs: NOW.getTime() - 3_600_000, endMs: NOW.getTime() } });
    expect(resolveRange({ start: "now", end: "now-1h" }, NOW, 1)).toMatchObject({ ok: false, error: expect.stringMatching(/must be before end/) });
    expect(resolveRange({ since: "30d" }, NOW, 1, 7 * 86_400_000)).toEqual({ ok: false, error: "the range is longer than 7d; narrow start/end" });
  });
});
