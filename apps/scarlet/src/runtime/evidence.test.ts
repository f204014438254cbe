import { describe, expect, it } from "vitest";
import { createLogger, ok, type Incident } from "@autodevops/shared";
import { toolEvidence } from "./evidence.js";

const incident = {
  id: "inc-1",
  fingerprint: "prod/shop/cart/service",
  cluster: "prod",
  namespace: "shop",
  workload: "cart",
  title: "shop/cart: crashloop",
  severity: "critical",
  status: "open",
  signals: [],
  rootCause: null,
  decision: null,
  actions: [],
  openedAt: "2026-11-23T10:00:00Z",
  updatedAt: "2026-11-23T10:00:00Z",
} satisfies Incident;

function tools(names: string[], answers: Record<string, Record<string, unknown>>) {
  const calls: { tool: string; args: Record<string, unknown> }[] = [];
  return {
    calls,
    listTools: () => names.map((name) => ({ name }) as never),
    call: async (tool: string, args: Record<string, unknown> = {}) => {
      calls.push({ tool, args });
      return ok({ server: "x", tool, text: "", content: [], structuredContent: answers[tool] ?? {}, cached: false });
    },
  };
}

describe("log and trace evidence on demand", () => {
  it("asks Loki for the target's trouble lines and Tempo for its slow traces, and words the answers for people", async () => {
    const t = tools(["loki_query_range", "tempo_search"], {
      loki_query_range: { lines: 12, topErrors: [{ message: "panic: nil map", count: 9, example: "panic: nil map" }, { message: "retrying", count: 3, example: "retrying redis" }] },
      tempo_search: { found: 4, traces: [{ rootService: "frontend", rootOperation: "GET /cart", durationMs: 2310.4 }] },
    });
    const lines = await toolEvidence(t, createLogger({ service: "test", level: "silent" }))(incident, []);
    expect(t.calls.map((c) => c.tool)).toEqual(["loki_query_range", "tempo_search"]);
    expect(t.calls[0]?.args).toMatchObject({ cluster: "prod", query: expect.stringContaining('{namespace="shop", app="cart"}') });
    expect(lines).toEqual(['logs: 9× "panic: nil map"', 'logs: 3× "retrying" (e.g. retrying redis)', "traces: 4 traces through cart took over 1s in 10 min; slowest 2310 ms (frontend GET /cart)"]);
  });

  it("gives nothing, and calls nothing, when neither server is configured", async () => {
    const t = tools([], {});
    expect(await toolEvidence(t, createLogger({ service: "test", level: "silent" }))(incident, [])).toEqual([]);
    expect(t.calls).toEqual([]);
  });
});
