import { describe, expect, it } from "vitest";
import { namePrefix, renderLogLine } from "./log-format.js";

const at = new Date(2026, 0, 2, 3, 4, 5);
const plain = { color: false };

describe("renderLogLine", () => {
  it("renders a pino line as time, level, message and fields", () => {
    const line = JSON.stringify({ level: "info", time: at.toISOString(), service: "migrate", msg: "schema migrated", applied: 2, current: "shared/0002_x" });
    expect(renderLogLine(line, plain)).toEqual(["03:04:05 INFO  schema migrated applied=2 current=shared/0002_x"]);
  });

  it("reads pino's numeric levels and epoch timestamps", () => {
    const line = JSON.stringify({ level: 40, time: at.getTime(), pid: 7, hostname: "box", msg: "slow" });
    expect(renderLogLine(line, plain)).toEqual(["03:04:05 WARN  slow pid=7"]);
  });

  it("quotes values with spaces and prints objects as compact JSON", () => {
    const line = JSON.stringify({ level: "error", time: at.toISOString(), msg: "failed", why: "port in use", target: { ns: "a", n: 1 }, ok: false });
    expect(renderLogLine(line, plain)).toEqual(['03:04:05 ERROR failed why="port in use" target={"ns":"a","n":1} ok=false']);
  });

  it("shows an error's message inline and its stack on the lines below", () => {
    const line = JSON.stringify({ level: "fatal", time: at.toISOString(), msg: "migration failed", err: { type: "Error", message: "boom", stack: "Error: boom\n    at run (a.ts:1:1)\n    at main (b.ts:2:2)" } });
    expect(renderLogLine(line, plain)).toEqual(["03:04:05 FATAL migration failed err=boom", "    at run (a.ts:1:1)", "    at main (b.ts:2:2)"]);
  });

  it("passes other lines through unchanged, including JSON that is not a log line", () => {
    expect(renderLogLine("Listening on http://127.0.0.1:3000", plain)).toEqual(["Listening on http://127.0.0.1:3000"]);
    expect(renderLogLine('{"hello":"world"}', plain)).toEqual(['{"hello":"world"}']);
    expect(renderLogLine("{not json", plain)).toEqual(["{not json"]);
  });

  it("colours the level only when colour is on", () => {
    const line = JSON.stringify({ level: "warn", time: at.toISOString(), msg: "careful" });
    expect(renderLogLine(line, { color: true })[0]).toContain("\u001b[33mWARN ");
    expect(renderLogLine(line, plain)[0]).not.toContain("\u001b[");
  });
});

describe("namePrefix", () => {
  it("pads names to one width so that lines align", () => {
    expect(namePrefix("migrate", 10, "cyan", false)).toBe("migrate    │ ");
    expect(namePrefix("supervisor", 10, "cyan", false)).toBe("supervisor │ ");
  });
});
