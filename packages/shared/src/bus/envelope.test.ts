import { describe, expect, it } from "vitest";
import { createEnvelope, decodeEvent, parseJson } from "./envelope.js";
import { EventBusError } from "./event-bus.js";

const fields = { id: "3f1c1d4e-8a51-4c7e-9a4e-1d2b3c4d5e6f", at: new Date("2025-01-01T00:00:00Z"), source: "jamie" };

describe("createEnvelope", () => {
  it("wraps a valid payload with id, topic, ISO time and source, dropping keys the schema does not know", () => {
    const payload = { approvalId: "a-1", incidentId: "inc-1", extra: "dropped" };
    expect(createEnvelope("approval.requested", payload, fields)).toEqual({
      id: fields.id,
      topic: "approval.requested",
      at: "2025-01-01T00:00:00.000Z",
      source: "jamie",
      payload: { approvalId: "a-1", incidentId: "inc-1" },
    });
  });

  it("throws invalid_payload naming the topic and the offending field", () => {
    const bad = { seq: -1, type: "x" };
    const attempt = () => createEnvelope("audit.appended", bad, fields);
    expect(attempt).toThrow(EventBusError);
    expect(attempt).toThrow(/"audit\.appended".*seq/s);
  });
});

describe("decodeEvent", () => {
  const good = {
    id: fields.id,
    topic: "audit.appended",
    at: "2025-01-01T00:00:00.000Z",
    source: "s",
    payload: { seq: 3, type: "t" },
  };

  it("accepts an envelope whose payload matches its topic", () => {
    expect(decodeEvent("audit.appended", good)).toEqual({ ok: true, event: good });
  });

  it("accepts a timestamp with an offset, as another runtime may write", () => {
    expect(decodeEvent("audit.appended", { ...good, at: "2025-01-01T02:00:00+02:00" }).ok).toBe(true);
  });

  it.each([
    ["malformed_envelope", { ...good, id: "nope" }],
    ["malformed_envelope", { ...good, at: "yesterday" }],
    ["malformed_envelope", "a string"],
    ["topic_mismatch", { ...good, topic: "incident.updated" }],
    ["invalid_payload", { ...good, payload: { seq: "3", type: "t" } }],
  ])("reports %s for %j", (reason, value) => {
    expect(decodeEvent("audit.appended", value)).toMatchObject({ ok: false, error: { reason } });
  });

  it("reports malformed_json for text that is not JSON", () => {
    expect(parseJson("{oops")).toMatchObject({ ok: false, error: { reason: "malformed_json" } });
  });
});
