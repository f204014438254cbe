import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxTelemetry } from "./sandbox-telemetry.js";
import { startEstateCluster, type EstateCluster } from "./test-estate.js";

let staging: EstateCluster;
beforeAll(async () => {
  staging = await startEstateCluster("staging");
}, 40_000);
afterAll(() => staging.stop());

const rate = (text: string, service: string) =>
  text
    .split("\n")
    .filter((l) => l.startsWith(`http_requests_total{namespace="shop",service="${service}",`))
    .reduce((a, l) => a + Number(l.split(" ")[1]), 0);

describe("SandboxTelemetry", () => {
  it("serves staging's frontend as the entry point at about 5 requests per second", () => {
    let now = new Date("2026-03-10T12:00:00Z");
    const t = new SandboxTelemetry({ clusters: [staging], now: () => now, seed: 3 });
    const first = t.render("staging") ?? "";
    now = new Date(now.getTime() + 100_000);
    const second = t.render("staging") ?? "";
    const perSecond = (rate(second, "frontend") - rate(first, "frontend")) / 100;
    expect(perSecond).toBeGreaterThan(3.5);
    expect(perSecond).toBeLessThan(6.5);
    expect(second).not.toContain('namespace="platform"');
    expect(t.render("prod")).toBeUndefined();
  });

  it("applies a modifier set on the shared registry to the next scrape", () => {
    const now = new Date("2026-03-10T12:00:00Z");
    const t = new SandboxTelemetry({ clusters: [staging], now: () => now, seed: 3 });
    t.modifiers.setModifier("staging", "cart", { memoryMiB: 123 });
    expect(t.render("staging")).toMatch(new RegExp(`container_memory_working_set_bytes\\{namespace="shop",pod="cart-[^"]+",container="cart"\\} ${123 * 2 ** 20}\\n`));
  });
});
