import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.js";
import { redactSecretFields } from "./redact.js";

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { stream, lines };
}

describe("logger", () => {
  it("writes JSON lines with the service, level label and time", () => {
    const { stream, lines } = capture();
    createLogger({ service: "scarlet", destination: stream }).info({ incidentId: "i-1" }, "decided");
    expect(lines[0]).toMatchObject({ service: "scarlet", level: "info", msg: "decided", incidentId: "i-1" });
    expect(typeof lines[0]?.time).toBe("string");
  });

  it("redacts tokens, passwords and authorization headers at any of the first levels", () => {
    const { stream, lines } = capture();
    createLogger({ service: "jamie", destination: stream }).info(
      {
        token: "t0",
        req: { headers: { authorization: "Bearer secret-1", cookie: "sid=2" } },
        slack: { signingSecret: "s3", botToken: "keep-name-only" },
        db: { conn: { password: "p4" } },
      },
      "request",
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of ["t0", "secret-1", "sid=2", "s3", "p4"]) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({ token: "[Redacted]", db: { conn: { password: "[Redacted]" } } });
  });

  it("removes passwords from connection strings quoted in messages", () => {
    const { stream, lines } = capture();
    createLogger({ service: "x", destination: stream }).warn("cannot reach postgres://app:hunter2@db:5432/audit");
    expect(lines[0]?.msg).toBe("cannot reach postgres://app:[Redacted]@db:5432/audit");
  });

  it("carries ids on child loggers", () => {
    const { stream, lines } = capture();
    createLogger({ service: "scarlet", destination: stream }).child({ incidentId: "i-9", node: "act" }).info("acting");
    expect(lines[0]).toMatchObject({ incidentId: "i-9", node: "act", service: "scarlet" });
  });
});

describe("redactSecretFields", () => {
  it("replaces credential values at any depth and leaves the rest", () => {
    expect(redactSecretFields({ a: 1, list: [{ apiKey: "k", name: "n" }], deep: { x: { Authorization: "B" } } })).toEqual({
      a: 1,
      list: [{ apiKey: "[Redacted]", name: "n" }],
      deep: { x: { Authorization: "[Redacted]" } },
    });
  });
});
