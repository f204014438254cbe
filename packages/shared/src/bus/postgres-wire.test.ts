import { describe, expect, it } from "vitest";
import type { BusEvent } from "./event-bus.js";
import { NOTIFY_MAX_BYTES, asSpillRef, planNotification } from "./postgres-wire.js";

const base = {
  id: "3f1c1d4e-8a51-4c7e-9a4e-1d2b3c4d5e6f",
  topic: "incident.updated",
  at: "2025-01-01T00:00:00.000Z",
  source: "scarlet",
} as const;

/** An event whose JSON form is exactly `bytes` long, padded in the status field. */
function eventOfSize(bytes: number, pad = "a"): BusEvent<"incident.updated"> {
  const empty = JSON.stringify({ ...base, payload: { incidentId: "i", status: "" } });
  const padBytes = Buffer.byteLength(pad);
  const status = pad.repeat(Math.floor((bytes - Buffer.byteLength(empty)) / padBytes));
  const event = { ...base, payload: { incidentId: "i", status } };
  expect(Buffer.byteLength(JSON.stringify(event))).toBe(bytes);
  return event;
}

describe("planNotification", () => {
  it("sends an envelope of exactly the NOTIFY limit inline, unchanged", () => {
    const event = eventOfSize(NOTIFY_MAX_BYTES);
    expect(planNotification(event)).toEqual({ kind: "inline", text: JSON.stringify(event) });
  });

  it("spills an envelope one byte over the limit, keeping every field but the payload in the reference", () => {
    const event = eventOfSize(NOTIFY_MAX_BYTES + 1);
    const plan = planNotification(event);
    expect(plan).toEqual({ kind: "spill", ref: base, payloadJson: JSON.stringify(event.payload) });
  });

  it("counts UTF-8 bytes, not characters", () => {
    // 3000 three-byte characters: 3000 characters (fits by length), 9000 bytes (does not).
    const event = { ...base, payload: { incidentId: "i", status: "€".repeat(3_000) } };
    expect(JSON.stringify(event).length).toBeLessThan(NOTIFY_MAX_BYTES);
    expect(planNotification(event).kind).toBe("spill");
  });
});

describe("asSpillRef", () => {
  it("recognises a spill reference and leaves a full envelope alone", () => {
    expect(asSpillRef({ ...base, spillId: "42" })).toEqual({ ...base, spillId: "42" });
    expect(asSpillRef({ ...base, payload: { incidentId: "i", status: "s" } })).toBeUndefined();
    expect(asSpillRef({ ...base, spillId: "1; DROP TABLE x" })).toBeUndefined();
  });
});
