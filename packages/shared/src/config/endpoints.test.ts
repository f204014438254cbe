import { describe, expect, it } from "vitest";
import { parseConfig } from "./config.js";
import { parseEndpoints } from "./endpoints.js";

describe("telemetry endpoints", () => {
  it("reads one URL for every cluster, or one per cluster by name", () => {
    expect(parseEndpoints("https://loki:3100/", "LOKI_URL")).toEqual({ ok: true, value: [{ name: "default", url: "https://loki:3100" }] });
    expect(parseEndpoints("prod=https://a/loki, staging=https://b/loki", "LOKI_URL")).toEqual({
      ok: true,
      value: [
        { name: "prod", url: "https://a/loki" },
        { name: "staging", url: "https://b/loki" },
      ],
    });
  });

  it("names the entry to fix", () => {
    expect(parseEndpoints("https://a,https://b", "TEMPO_URL")).toMatchObject({ ok: false, error: expect.stringContaining("has no name") });
    expect(parseEndpoints("prod=ftp://a", "TEMPO_URL")).toMatchObject({ ok: false, error: expect.stringContaining("must be http") });
    expect(parseEndpoints("prod=https://a,prod=https://b", "TEMPO_URL")).toMatchObject({ ok: false, error: expect.stringContaining("given twice") });
  });

  it("lets the product's config accept the per-cluster form and refuse a bad one", () => {
    expect(parseConfig({ LOKI_URL: "prod=https://127.0.0.1:7071/loki,staging=https://127.0.0.1:7072/loki" }).ok).toBe(true);
    const bad = parseConfig({ LOKI_URL: "https://a,https://b" });
    expect(bad.ok).toBe(false);
  });
});
