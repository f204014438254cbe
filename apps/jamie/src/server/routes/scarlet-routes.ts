import { sendJson, type AuditStore, type Incident, type Logger } from "@autodevops/shared";
import { z } from "zod";
import type { MetricSeries } from "../../portal/incident-metrics.js";
import type { ScarletClient, ScarletError } from "../../scarlet/scarlet-client.js";
import { jsonBody, type Route } from "../router.js";

const Decide = z.strictObject({ decision: z.enum(["approve", "reject"]), reason: z.string().trim().max(500).optional() });
const IncidentsQuery = z.object({ status: z.enum(["open", "awaiting_approval", "acting", "verifying", "resolved", "escalated", "failed"]).optional(), since: z.iso.datetime().optional() });
const ApprovalsQuery = z.object({ status: z.enum(["pending", "approved", "rejected", "expired"]).optional() });

/** Scarlet's errors as the portal's answers: what the person can act on, never Scarlet's token. */
function sendScarletError(res: Parameters<typeof sendJson>[0], e: ScarletError): void {
  if (e.code === "not_found") return sendJson(res, 404, { error: e.message });
  if (e.code === "conflict") return sendJson(res, 409, { error: "already decided or expired" });
  if (e.code === "rejected") return sendJson(res, 400, { error: e.message });
  sendJson(res, 502, { error: `Scarlet is not answering properly: ${e.message}` });
}

/** Scarlet's incidents and approvals through Jamie (the pages never hold Scarlet's approver token). */
/** Where an incident page's charts come from: Prometheus' range API, or the sandbox's recorded telemetry. */
export interface IncidentCharts {
  source: "prometheus" | "sandbox-telemetry";
  read(i: Incident): Promise<MetricSeries[]>;
}

export function scarletRoutes(d: { scarlet: ScarletClient; approverToken: string; audit: AuditStore; metrics?: IncidentCharts; log: Logger }): Route[] {
  return [
    {
      method: "GET",
      path: /^\/api\/incidents$/,
      role: "viewer",
      async handler({ res, url }) {
        const q = IncidentsQuery.safeParse(Object.fromEntries(url.searchParams));
        if (!q.success) return sendJson(res, 400, { error: q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
        const r = await d.scarlet.listIncidents(q.data);
        if (!r.ok) return sendScarletError(res, r.error);
        sendJson(res, 200, { incidents: r.value });
      },
    },
    {
      method: "GET",
      path: /^\/api\/incidents\/([\w.-]+)$/,
      role: "viewer",
      async handler({ res, params }) {
        const r = await d.scarlet.getIncident(params[0] ?? "");
        if (!r.ok) return sendScarletError(res, r.error);
        sendJson(res, 200, r.value);
      },
    },
    {
      method: "GET",
      path: /^\/api\/incidents\/([\w.-]+)\/metrics$/,
      role: "viewer",
      async handler({ res, params }) {
        const charts = d.metrics;
        if (!charts) return sendJson(res, 200, { source: null, series: [], note: "charts need Prometheus (PROMETHEUS_URL) or the sandbox's telemetry; neither is configured" });
        const r = await d.scarlet.getIncident(params[0] ?? "");
        if (!r.ok) return sendScarletError(res, r.error);
        try {
          sendJson(res, 200, { source: charts.source, series: await charts.read(r.value) });
        } catch (e) {
          d.log.warn({ err: e }, "incident metrics failed");
          sendJson(res, 200, { source: charts.source, series: [], note: `${charts.source === "prometheus" ? "Prometheus" : "the sandbox's telemetry"} did not answer: ${e instanceof Error ? e.message : String(e)}` });
        }
      },
    },
    {
      method: "GET",
      path: /^\/api\/approvals$/,
      role: "viewer",
      async handler({ res, url }) {
        const q = ApprovalsQuery.safeParse(Object.fromEntries(url.searchParams));
        if (!q.success) return sendJson(res, 400, { error: "status: expected pending, approved, rejected or expired" });
        const r = await d.scarlet.listApprovals(q.data);
        if (!r.ok) return sendScarletError(res, r.error);
        sendJson(res, 200, { approvals: r.value });
      },
    },
    {
      method: "POST",
      path: /^\/api\/approvals\/([\w.-]+)$/,
      role: "approver",
      async handler(ctx) {
        const body = await jsonBody(ctx, Decide, 4096);
        if (!body) return;
        const who = ctx.principal.user.name;
        // Scarlet records the reason with the decision: it names the person, since the token is Jamie's.
        const reason = `${body.reason ? `${body.reason} — ` : ""}${body.decision === "approve" ? "approved" : "rejected"} by ${who} in the portal`;
        const r = await d.scarlet.decideApproval(ctx.params[0] ?? "", { decision: body.decision, reason }, d.approverToken);
        if (!r.ok) return sendScarletError(ctx.res, r.error);
        sendJson(ctx.res, 200, r.value);
      },
    },
  ];
}
