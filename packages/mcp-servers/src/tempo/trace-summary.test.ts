import { describe, expect, it } from "vitest";
import { flattenTrace, OtlpTrace } from "./otlp.js";
import { summariseTrace, traceSummaryText } from "./trace-summary.js";

const ns = (ms: number) => String(BigInt(Math.round(ms * 1000)) * 1000n);
const span = (id: string, parent: string, name: string, start: number, end: number, extra: Record<string, unknown> = {}) => ({
  spanId: id,
  parentSpanId: parent,
  name,
  kind: 2,
  startTimeUnixNano: ns(start),
  endTimeUnixNano: ns(end),
  ...extra,
});
const resource = (service: string, spans: unknown[]) => ({
  resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
  scopeSpans: [{ spans }],
});

// api/v2 shape, base64 ids, numeric kind and status: gateway → api, which calls db twice in a row
// (the second fails) and then cache, while an orphan span's parent never arrived.
const v2 = {
  trace: {
    resourceSpans: [
      resource("gateway", [span("AAE=", "", "GET /", 0, 100)]),
      resource("api", [
        span("AAI=", "AAE=", "GET /items", 5, 95),
        span("AAM=", "AAI=", "SELECT items", 10, 40),
        span("AAQ=", "AAI=", "SELECT prices", 40, 80, {
          status: { code: 2, message: "deadline exceeded" },
          attributes: [{ key: "db.system", value: { stringValue: "postgres" } }],
        }),
        span("AAU=", "AAI=", "GET cache", 12, 20),
        span("AAY=", "ZZZ=", "late flush", 200, 201),
      ]),
    ],
  },
};

describe("summariseTrace", () => {
  const spans = flattenTrace(OtlpTrace.parse(v2));
  const s = summariseTrace(spans, { slowest: 3, failing: 5, treeLines: 10 });

  it("reads the OTLP shape Tempo's v2 API answers with", () => {
    expect(spans).toHaveLength(6);
    expect(spans[3]).toMatchObject({ service: "api", name: "SELECT prices", kind: "SPAN_KIND_SERVER", error: true, statusMessage: "deadline exceeded", attributes: { "db.system": "postgres" } });
  });

  it("names the root, the duration over every span, the slowest spans with their own time", () => {
    expect(s).toMatchObject({ rootService: "gateway", rootOperation: "GET /", spanCount: 6, services: { gateway: 1, api: 5 }, durationMs: 201 });
    expect(s.slowest.map((x) => [x.name, x.durationMs, x.selfMs])).toEqual([
      ["GET /", 100, 10],
      ["GET /items", 90, 20],
      ["SELECT prices", 40, 40],
    ]);
  });

  it("follows the sequential calls that set the duration as the critical path", () => {
    expect(s.criticalPath.map((p) => `${"-".repeat(p.depth)}${p.name}`)).toEqual(["GET /", "-GET /items", "--SELECT items", "--SELECT prices"]);
  });

  it("lists failing spans with their message, marking where the failure starts", () => {
    expect(s.failing).toEqual([expect.objectContaining({ service: "api", name: "SELECT prices", message: "deadline exceeded", origin: true, count: 1 })]);
    expect(traceSummaryText("abc", s)).toMatch(/starts here api: SELECT prices — deadline exceeded \(40ms\)/);
  });

  it("reads the v1 `batches` shape with the old instrumentationLibrarySpans too", () => {
    const v1 = { batches: [{ resource: v2.trace.resourceSpans[0]?.resource, instrumentationLibrarySpans: [{ spans: [span("AAE=", "", "GET /", 0, 10, { status: { code: "STATUS_CODE_ERROR" } })] }] }] };
    const one = summariseTrace(flattenTrace(OtlpTrace.parse(v1)), { slowest: 5, failing: 5, treeLines: 5 });
    expect(one).toMatchObject({ rootService: "gateway", spanCount: 1, failing: [expect.objectContaining({ origin: true })] });
  });
});
