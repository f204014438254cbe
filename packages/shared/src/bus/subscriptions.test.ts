import { describe, expect, it } from "vitest";
import type { TopicName } from "./event-bus.js";
import { Subscriptions, type TopicChannels } from "./subscriptions.js";
import { captureLog } from "./test-support.js";

/** Records attach/detach calls; each call takes a few ms, like a round trip to a server. */
function slowChannels(): TopicChannels & { calls: string[]; attached: Set<TopicName> } {
  const calls: string[] = [];
  const attached = new Set<TopicName>();
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
  return {
    calls,
    attached,
    async attach(topic) {
      calls.push(`attach ${topic}`);
      await tick();
      attached.add(topic);
    },
    async detach(topic) {
      calls.push(`detach ${topic}`);
      await tick();
      attached.delete(topic);
    },
  };
}

describe("Subscriptions", () => {
  it("attaches a topic once for many handlers and detaches it after the last one leaves", async () => {
    const channels = slowChannels();
    const subs = new Subscriptions(channels, captureLog().log);
    const [a, b] = await Promise.all([
      subs.add("audit.appended", () => undefined),
      subs.add("audit.appended", () => undefined),
    ]);
    expect(channels.calls).toEqual(["attach audit.appended"]);
    await a();
    expect(channels.attached.has("audit.appended")).toBe(true);
    await b();
    expect(channels.calls).toEqual(["attach audit.appended", "detach audit.appended"]);
    expect(channels.attached.size).toBe(0);
  });

  it("resolves a second subscribe only after the first one's attach has finished", async () => {
    const channels = slowChannels();
    const subs = new Subscriptions(channels, captureLog().log);
    const first = subs.add("audit.appended", () => undefined);
    await subs.add("audit.appended", () => undefined);
    expect(channels.attached.has("audit.appended")).toBe(true);
    await first;
  });

  it("ends attached when a subscribe races the unsubscribe of the topic's last handler", async () => {
    const channels = slowChannels();
    const subs = new Subscriptions(channels, captureLog().log);
    const unsubscribe = await subs.add("incident.updated", () => undefined);
    await Promise.all([unsubscribe(), subs.add("incident.updated", () => undefined)]);
    expect(channels.attached.has("incident.updated")).toBe(true);
  });

  it("rejects the subscribe and keeps no handler when attaching fails", async () => {
    const subs = new Subscriptions(
      { attach: () => Promise.reject(new Error("server said no")), detach: () => Promise.resolve() },
      captureLog().log,
    );
    await expect(subs.add("incident.updated", () => undefined)).rejects.toThrow("server said no");
    expect(subs.hasHandlers("incident.updated")).toBe(false);
  });
});
