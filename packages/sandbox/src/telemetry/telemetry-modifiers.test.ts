import { describe, expect, it } from "vitest";
import { TelemetryModifiers } from "./telemetry-modifiers.js";

describe("TelemetryModifiers", () => {
  it("merges a second fault's fields into a service's modifier, restarting the growth clock only when growth changes", () => {
    let now = new Date("2026-03-10T12:00:00Z");
    const m = new TelemetryModifiers({ now: () => now });
    m.setModifier("prod", "cart", { memoryGrowthMiBPerMin: 20 });
    now = new Date("2026-03-10T12:05:00Z");
    m.setModifier("prod", "cart", { trafficFactor: 3 });
    expect(m.modifierOf("prod", "cart")).toEqual({ memoryGrowthMiBPerMin: 20, trafficFactor: 3, since: new Date("2026-03-10T12:00:00Z") });
    m.setModifier("prod", "cart", { memoryGrowthMiBPerMin: 40 });
    expect(m.modifierOf("prod", "cart").since).toEqual(now);
    expect(m.modifierOf("staging", "cart")).toEqual({});
  });

  it("drops a field set to undefined", () => {
    const m = new TelemetryModifiers({ now: () => new Date(0) });
    m.setModifier("prod", "cart", { errorRate: 0.5, extraLatencyMs: 100 });
    m.setModifier("prod", "cart", { errorRate: undefined });
    expect(m.modifierOf("prod", "cart")).toEqual({ extraLatencyMs: 100, since: new Date(0) });
  });

  it("clears one service, one cluster, or everything", () => {
    const m = new TelemetryModifiers({ now: () => new Date(0) });
    m.setModifier("prod", "cart", { errorRate: 1 });
    m.setModifier("prod", "catalog", { errorRate: 1 });
    m.setModifier("staging", "cart", { errorRate: 1 });
    m.clearModifiers("prod", "cart");
    expect(m.modifierOf("prod", "cart")).toEqual({});
    expect(m.modifierOf("prod", "catalog").errorRate).toBe(1);
    m.clearModifiers("prod");
    expect(m.modifierOf("prod", "catalog")).toEqual({});
    expect(m.modifierOf("staging", "cart").errorRate).toBe(1);
    m.clearModifiers();
    expect(m.modifierOf("staging", "cart")).toEqual({});
  });
});
