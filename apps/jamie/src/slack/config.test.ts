import { loadConfig } from "@autodevops/shared";
import { describe, expect, it } from "vitest";
import { channelFor, slackSettings } from "./config.js";

const slackOn = loadConfig({ SLACK_BOT_TOKEN: "xoxb-1-abc", SLACK_SIGNING_SECRET: "0123456789abcdef0123" });

describe("Slack settings", () => {
  it("is off without a bot token", () => {
    expect(slackSettings(loadConfig({}), { SLACK_CHANNELS: "*=C0123" })).toEqual({ ok: true, value: undefined });
  });

  it("routes a namespace's messages to the most specific channel", () => {
    const r = slackSettings(slackOn, { SLACK_CHANNELS: "prod/shop=CSHOP1, prod=CPROD1, *=CALL1", SLACK_APPROVERS: "U0AA1=approver" });
    if (!r.ok || !r.value) throw new Error("expected settings");
    const { channels, approvers, mode } = r.value;
    expect(mode).toBe("http");
    expect(channelFor(channels, "prod", "shop")).toBe("CSHOP1");
    expect(channelFor(channels, "prod", "batch")).toBe("CPROD1");
    expect(channelFor(channels, "staging", "shop")).toBe("CALL1");
    expect(approvers.get("U0AA1")).toBe("approver");
    expect(channelFor(new Map([["prod", "CPROD1"]]), "staging", "shop")).toBeUndefined();
  });

  it("names the variable that is wrong", () => {
    const bad = slackSettings(slackOn, { SLACK_CHANNELS: "prod/shop=#shop-ops", SLACK_APPROVERS: "alice=approver" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error).toContain("SLACK_CHANNELS");
      expect(bad.error).toContain("SLACK_APPROVERS");
    }
  });

  it("uses Socket Mode when an app token is set", () => {
    const r = slackSettings(loadConfig({ SLACK_BOT_TOKEN: "xoxb-1-abc", SLACK_APP_TOKEN: "xapp-1-abc" }), {});
    expect(r.ok && r.value?.mode).toBe("socket");
  });
});
