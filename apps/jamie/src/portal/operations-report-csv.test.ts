import { describe, expect, it } from "vitest";
import { operationsReportCsv } from "./operations-report-csv.js";
import { OperationsReport } from "./operations-report-schema.js";

const none = { count: 0, medianSeconds: null, p90Seconds: null };
const report = (problems: OperationsReport["actions"]["problems"]) =>
  OperationsReport.parse({
    range: { from: "2026-05-01T00:00:00.000Z", to: "2026-05-08T00:00:00.000Z" },
    generatedAt: "2026-05-08T00:00:00.000Z",
    incidents: { opened: 0, byKind: [] },
    automation: { autoFixed: 0, afterApproval: 0, escalated: 0, closedWithoutFix: 0, open: 0, rate: null },
    timeToDetect: none,
    timeToMitigate: none,
    approvals: { requested: 0, approved: 0, rejected: 0, expired: 0, wait: none, waitingNow: 0 },
    actions: { executed: 1, succeeded: 0, failed: 1, undone: 0, problems },
    incidentRecords: null,
  });

describe("the operations report's CSV", () => {
  it("leaves a figure with no sample empty rather than writing null", () => {
    const lines = operationsReportCsv(report([])).split("\r\n");
    expect(lines).toContain("automation,rate,,ratio");
    expect(lines).toContain("time_to_mitigate,median,,seconds");
  });

  it("quotes commas, quotes and line breaks, and defuses a cell a spreadsheet would run as a formula", () => {
    const csv = operationsReportCsv(report([{ at: "2026-05-02T10:00:00.000Z", incidentId: "inc-1", outcome: "failed", action: "scale shop/cart", detail: '=HYPERLINK("x"), then\nmore' }]));
    const row = csv.slice(csv.indexOf("action_failed,"));
    expect(row).toBe(`action_failed,2026-05-02T10:00:00.000Z inc-1 scale shop/cart,"'=HYPERLINK(""x""), then\nmore",text\r\n`);
  });
});
