import { formatIssues, sendJson, type AuditStore, type Logger, type Result } from "@autodevops/shared";
import { operationsReportCsv } from "../../portal/operations-report-csv.js";
import type { ReportError } from "../../portal/operations-report.js";
import { ReportQuery, reportRange, type OperationsReport, type ReportRange } from "../../portal/operations-report-schema.js";
import type { Route } from "../router.js";

/** `GET /api/report?from&to&format=json|csv`: the operations report (seed 002's KPIs) for any signed-in person or the API key. */
export function reportRoutes(d: { report: (range: ReportRange, now: Date) => Promise<Result<OperationsReport, ReportError>>; audit: AuditStore; log: Logger; now?: () => Date }): Route[] {
  return [
    {
      method: "GET",
      path: /^\/api\/report$/,
      role: "viewer",
      async handler({ res, url, principal }) {
        const now = d.now?.() ?? new Date();
        const refuse = async (error: string) => {
          d.log.warn({ who: principal.user.name, query: url.search.slice(0, 300), error }, "report query refused");
          await d.audit.append({ actor: "jamie", type: "input.rejected", data: { path: url.pathname, method: "GET", who: principal.user.name, status: 400, error } }).catch(() => undefined);
          sendJson(res, 400, { error });
        };
        const q = ReportQuery.safeParse(Object.fromEntries(url.searchParams));
        if (!q.success) return refuse(formatIssues(q.error));
        const range = reportRange(q.data, now);
        if (!range.success) return refuse(formatIssues(range.error));
        const computed = await d.report(range.data, now);
        if (!computed.ok) {
          d.log.error({ error: computed.error.message }, "operations report failed");
          return sendJson(res, 503, { error: computed.error.message });
        }
        const report = computed.value;
        if (q.data.format === "json") return sendJson(res, 200, report);
        const body = operationsReportCsv(report);
        const day = (iso: string) => iso.slice(0, 10);
        res.writeHead(200, {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="operations-report_${day(report.range.from)}_${day(report.range.to)}.csv"`,
          "content-length": Buffer.byteLength(body),
          "cache-control": "no-store",
        });
        res.end(body);
      },
    },
  ];
}
