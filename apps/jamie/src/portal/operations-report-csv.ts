import type { DurationStats, OperationsReport } from "./operations-report-schema.js";

type Row = [section: string, name: string, value: string | number | null, unit: string];

/** RFC 4180 quoting; a cell that a spreadsheet would run as a formula gets a leading quote. */
function cell(v: string | number | null): string {
  if (v === null) return "";
  let s = String(v);
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const durationRows = (section: string, d: DurationStats, counted: string): Row[] => [
  [section, "count", d.count, counted],
  [section, "median", d.medianSeconds, "seconds"],
  [section, "p90", d.p90Seconds, "seconds"],
];

/**
 * The report as CSV: a header row, one row per KPI (`section,name,value,unit`), then the
 * per-kind section (four rows per root-cause kind) and the failed and undone actions.
 */
export function operationsReportCsv(r: OperationsReport): string {
  const rows: Row[] = [
    ["range", "from", r.range.from, "time"],
    ["range", "to", r.range.to, "time"],
    ["incidents", "opened", r.incidents.opened, "incidents"],
    ["automation", "auto_fixed", r.automation.autoFixed, "incidents"],
    ["automation", "fixed_after_approval", r.automation.afterApproval, "incidents"],
    ["automation", "escalated", r.automation.escalated, "incidents"],
    ["automation", "closed_without_fix", r.automation.closedWithoutFix, "incidents"],
    ["automation", "open", r.automation.open, "incidents"],
    ["automation", "rate", r.automation.rate, "ratio"],
    ...durationRows("time_to_detect", r.timeToDetect, "incidents"),
    ...durationRows("time_to_mitigate", r.timeToMitigate, "incidents"),
    ["approvals", "requested", r.approvals.requested, "requests"],
    ["approvals", "approved", r.approvals.approved, "requests"],
    ["approvals", "rejected", r.approvals.rejected, "requests"],
    ["approvals", "expired", r.approvals.expired, "requests"],
    ["approvals", "waiting_now", r.approvals.waitingNow, "requests"],
    ...durationRows("approval_wait", r.approvals.wait, "requests"),
    ["actions", "executed", r.actions.executed, "actions"],
    ["actions", "succeeded", r.actions.succeeded, "actions"],
    ["actions", "failed", r.actions.failed, "actions"],
    ["actions", "undone", r.actions.undone, "actions"],
    ...r.incidents.byKind.flatMap((k): Row[] => [
      ["incidents_by_kind", `${k.kind}.opened`, k.opened, "incidents"],
      ["incidents_by_kind", `${k.kind}.auto_fixed`, k.autoFixed, "incidents"],
      ["incidents_by_kind", `${k.kind}.fixed_after_approval`, k.afterApproval, "incidents"],
      ["incidents_by_kind", `${k.kind}.escalated`, k.escalated, "incidents"],
    ]),
    ...r.actions.problems.map((p): Row => [`action_${p.outcome}`, `${p.at} ${p.incidentId ?? "-"} ${p.action ?? "?"}`, p.detail, "text"]),
  ];
  return [["section", "name", "value", "unit"], ...rows].map((row) => row.map(cell).join(",")).join("\r\n") + "\r\n";
}
