import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ClusterStore } from "../store/cluster-store.js";
import { EVENT_TTL_MS, EventRecorder } from "./event-recorder.js";
import { nameSuffix } from "./pod-creation.js";

function setup(start = Date.parse("2024-05-01T10:00:00Z")) {
  let now = start;
  const store = new ClusterStore({ now: () => new Date(now), newUid: randomUUID, randomSuffix: () => nameSuffix(Math.random) });
  store.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } });
  const pod = store.create("pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "web-1", namespace: "shop" }, spec: {} });
  if (!pod.ok) throw new Error(pod.error.message);
  const warnings: string[] = [];
  const recorder = new EventRecorder({ store, now: () => new Date(now), log: { warn: (_f, m) => warnings.push(m), error: (_f, m) => warnings.push(m) } });
  return { store, recorder, pod: pod.value, warnings, advance: (ms: number) => (now += ms) };
}

const source = { component: "kubelet", host: "node-a" };

describe("event recorder", () => {
  it("writes a core/v1 Event naming the object, and counts a repeat instead of writing another", () => {
    const { store, recorder, pod, advance, warnings } = setup();
    recorder.record(pod, source, "Warning", "BackOff", "Back-off restarting failed container web in pod web-1_shop(x)", { fieldPath: "spec.containers{web}" });
    advance(20_000);
    recorder.record(pod, source, "Warning", "BackOff", "Back-off restarting failed container web in pod web-1_shop(x)", { fieldPath: "spec.containers{web}" });
    const events = store.list("events", { namespace: "shop" }).items;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      involvedObject: { apiVersion: "v1", kind: "Pod", name: "web-1", namespace: "shop", uid: pod.metadata.uid, resourceVersion: pod.metadata.resourceVersion, fieldPath: "spec.containers{web}" },
      reason: "BackOff",
      type: "Warning",
      source,
      count: 2,
      firstTimestamp: "2024-05-01T10:00:00Z",
      lastTimestamp: "2024-05-01T10:00:20Z",
    });
    expect(events[0]?.metadata.name).toMatch(/^web-1\.[0-9a-f]+$/);
    expect(warnings).toEqual([]);
  });

  it("folds the eleventh different message for the same object and reason into a combined event", () => {
    const { store, recorder, pod } = setup();
    for (let i = 0; i < 12; i++) recorder.record(pod, { component: "replicaset-controller" }, "Warning", "FailedCreate", `Error creating: attempt ${i}`);
    const events = store.list("events", { namespace: "shop" }).items;
    expect(events).toHaveLength(10);
    const combined = events.find((e) => String(e.message).startsWith("(combined from similar events): "));
    expect(combined).toMatchObject({ count: 3, message: "(combined from similar events): Error creating: attempt 11" });
  });

  it("deletes events an hour after they were last seen", () => {
    const { store, recorder, pod, advance } = setup();
    recorder.record(pod, source, "Normal", "Pulled", "Container image \"x\" already present on machine");
    advance(EVENT_TTL_MS + 1);
    recorder.expire();
    expect(store.list("events").items).toEqual([]);
  });
});
