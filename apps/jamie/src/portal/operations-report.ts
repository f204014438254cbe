import { err, ok, type Result } from "@autodevops/shared";
import type pg from "pg";
import { OperationsReport, type ReportRange } from "./operations-report-schema.js";

export type ReportError = { code: "unavailable"; message: string };

/**
 * Seed 002's KPIs for a time range, computed in Postgres from the audit log (`audit_events`).
 * The definitions, all over events whose `at` lies in [from, to):
 *
 * - Incidents: those whose first `incident.opened` falls in the range. Each gets one outcome from
 *   its events before `to`: `escalated` if it has an `incident.escalated` (people took it over,
 *   whatever ran before); else `afterApproval` on a `verification.passed` when an
 *   `approval.decided` with decision `approve` was given; else `autoFixed` on a `verification.passed`;
 *   else `closedWithoutFix` on an `incident.resolved` (noise, or it cleared by itself); else `open`.
 *   Automation rate = autoFixed / (autoFixed + afterApproval + escalated).
 * - Time to detect: from the incident's first signal (the earliest `signals[].at` of Scarlet's
 *   incident record) to its `incident.opened` event. The audit events carry no signal time, so
 *   this, and the root-cause kind (`rootCause.kind`), come from Scarlet's `scarlet_incidents` when
 *   that table is in this database; without it kinds read `unknown` and there is no sample.
 * - Time to mitigate: from `incident.opened` to the first `verification.passed`, over the
 *   incidents fixed (autoFixed and afterApproval).
 * - Approvals: requests (`approval.requested`) made in the range, closed by the first
 *   `approval.decided` or `approval.expired` with the same `approvalId` before `to`; waiting time
 *   is request to close. Waiting now counts every request, of any age, with no close and an
 *   `expiresAt` still ahead of `now`.
 * - Actions: `action.executing` (every action run, undos included), `action.succeeded`,
 *   `action.failed` and `action.undone` events in the range.
 *
 * Medians and p90s are `percentile_cont` (linear interpolation between samples), in seconds
 * rounded to the millisecond.
 */
export async function operationsReport(db: Pick<pg.Pool, "query">, range: ReportRange, now: Date): Promise<Result<OperationsReport, ReportError>> {
  const params = [range.from.toISOString(), range.to.toISOString()];
  let records: boolean;
  let rows: pg.QueryResult[];
  try {
    const present = await db.query<{ present: boolean }>("SELECT to_regclass('scarlet_incidents') IS NOT NULL AS present");
    records = present.rows[0]?.present === true;
    rows = await Promise.all([
      db.query(incidentsSql(records), params),
      db.query(APPROVALS_SQL, [...params, now.toISOString()]),
      db.query(ACTIONS_SQL, params),
      db.query(PROBLEMS_SQL, params),
    ]);
  } catch (e) {
    return err({ code: "unavailable", message: `the audit store did not answer: ${(e as Error).message}` });
  }
  const [incidents, approvals, actions, problems] = rows as [pg.QueryResult, pg.QueryResult, pg.QueryResult, pg.QueryResult];
  const i = incidents.rows[0] as { by_kind: unknown; outcomes: Record<string, number> | null; ttd: unknown; ttm: unknown };
  const outcome = (k: string) => i.outcomes?.[k] ?? 0;
  const decided = outcome("autoFixed") + outcome("afterApproval") + outcome("escalated");
  const a = approvals.rows[0] as Record<string, unknown>;
  // The whole object is parsed, so a row of an unexpected shape fails here rather than in a page.
  return ok(OperationsReport.parse({
    range: { from: range.from.toISOString(), to: range.to.toISOString() },
    generatedAt: now.toISOString(),
    incidents: { opened: Object.values(i.outcomes ?? {}).reduce((s, n) => s + n, 0), byKind: i.by_kind },
    automation: {
      autoFixed: outcome("autoFixed"),
      afterApproval: outcome("afterApproval"),
      escalated: outcome("escalated"),
      closedWithoutFix: outcome("closedWithoutFix"),
      open: outcome("open"),
      rate: decided === 0 ? null : outcome("autoFixed") / decided,
    },
    timeToDetect: i.ttd,
    timeToMitigate: i.ttm,
    approvals: { requested: a.requested, approved: a.approved, rejected: a.rejected, expired: a.expired, wait: a.wait, waitingNow: a.waiting_now },
    actions: { ...actions.rows[0], problems: problems.rows },
    incidentRecords: records ? "scarlet_incidents" : null,
  }));
}

/** count, median and p90 of a column of seconds, as the DurationStats object. */
const stats = (seconds: string) =>
  `json_build_object('count', count(${seconds}),
     'medianSeconds', round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ${seconds}))::numeric, 3),
     'p90Seconds', round((percentile_cont(0.9) WITHIN GROUP (ORDER BY ${seconds}))::numeric, 3))`;

const secondsBetween = (a: string, b: string) => `GREATEST(0, extract(epoch FROM (${b}) - (${a})))`;

/** $1 from, $2 to. `records`: whether Scarlet's incident table can be joined for kinds and signal times. */
function incidentsSql(records: boolean): string {
  const kind = records ? "coalesce(s.doc->'rootCause'->>'kind', 'unknown')" : "'unknown'";
  const firstSignal = records ? "(SELECT min((sig->>'at')::timestamptz) FROM jsonb_array_elements(s.doc->'signals') sig)" : "NULL::timestamptz";
  const join = records ? "LEFT JOIN scarlet_incidents s ON s.id = p.incident_id" : "";
  return `
    -- An incident's events all follow its opening, so those of the incidents opened in the range
    -- lie in the range too: one scan of it, grouped by incident, no index probe per incident.
    WITH per AS (
      SELECT incident_id,
        min(at) FILTER (WHERE type = 'incident.opened') AS opened_at,
        bool_or(type = 'incident.escalated') AS escalated,
        bool_or(type = 'approval.decided' AND data->>'decision' = 'approve') AS approved,
        bool_or(type = 'incident.resolved') AS resolved,
        min(at) FILTER (WHERE type = 'verification.passed') AS mitigated_at
      FROM audit_events e
      WHERE at >= $1 AND at < $2 AND incident_id IS NOT NULL
      GROUP BY incident_id
      HAVING bool_or(type = 'incident.opened')
        -- Re-opened (adopted) incidents count where they first opened.
        AND NOT EXISTS (SELECT 1 FROM audit_events x WHERE x.incident_id = e.incident_id AND x.type = 'incident.opened' AND x.at < $1)
    ), classified AS (
      SELECT p.*, ${kind} AS kind, ${firstSignal} AS first_signal_at,
        CASE WHEN p.escalated THEN 'escalated'
             WHEN p.mitigated_at IS NOT NULL AND p.approved THEN 'afterApproval'
             WHEN p.mitigated_at IS NOT NULL THEN 'autoFixed'
             WHEN p.resolved THEN 'closedWithoutFix'
             ELSE 'open' END AS outcome
      FROM per p ${join}
    )
    SELECT
      (SELECT coalesce(json_agg(k ORDER BY k.opened DESC, k.kind), '[]'::json) FROM (
         SELECT kind, count(*)::int AS opened,
           count(*) FILTER (WHERE outcome = 'autoFixed')::int AS "autoFixed",
           count(*) FILTER (WHERE outcome = 'afterApproval')::int AS "afterApproval",
           count(*) FILTER (WHERE outcome = 'escalated')::int AS escalated
         FROM classified GROUP BY kind) k) AS by_kind,
      (SELECT json_object_agg(outcome, n) FROM (SELECT outcome, count(*)::int AS n FROM classified GROUP BY outcome) o) AS outcomes,
      (SELECT ${stats("s")} FROM (SELECT ${secondsBetween("first_signal_at", "opened_at")} AS s FROM classified WHERE first_signal_at IS NOT NULL) t) AS ttd,
      (SELECT ${stats("s")} FROM (SELECT ${secondsBetween("opened_at", "mitigated_at")} AS s FROM classified WHERE outcome IN ('autoFixed', 'afterApproval')) t) AS ttm`;
}

/** $1 from, $2 to, $3 now. */
const APPROVALS_SQL = `
  WITH req AS (
    -- A malformed expiry (never written by Scarlet) reads as none rather than failing the report.
    SELECT DISTINCT ON (data->>'approvalId') data->>'approvalId' AS id, at,
      CASE WHEN data->>'expiresAt' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$' THEN (data->>'expiresAt')::timestamptz END AS expires_at
    FROM audit_events WHERE type = 'approval.requested' AND data ? 'approvalId'
    ORDER BY data->>'approvalId', seq
  ), closed AS (
    SELECT DISTINCT ON (data->>'approvalId') data->>'approvalId' AS id, at, type, data->>'decision' AS decision
    FROM audit_events WHERE type IN ('approval.decided', 'approval.expired') AND data ? 'approvalId'
    ORDER BY data->>'approvalId', seq
  ), joined AS (
    SELECT r.id, r.at AS requested_at, r.expires_at, c.at AS closed_at, c.type, c.decision FROM req r LEFT JOIN closed c USING (id)
  ), in_range AS (
    SELECT *, closed_at < $2 AS closed_in_range FROM joined WHERE requested_at >= $1 AND requested_at < $2
  )
  SELECT
    (SELECT count(*)::int FROM in_range) AS requested,
    (SELECT count(*)::int FROM in_range WHERE closed_in_range AND type = 'approval.decided' AND decision = 'approve') AS approved,
    (SELECT count(*)::int FROM in_range WHERE closed_in_range AND type = 'approval.decided' AND decision = 'reject') AS rejected,
    (SELECT count(*)::int FROM in_range WHERE closed_in_range AND type = 'approval.expired') AS expired,
    (SELECT ${stats("s")} FROM (SELECT ${secondsBetween("requested_at", "closed_at")} AS s FROM in_range WHERE closed_in_range) t) AS wait,
    (SELECT count(*)::int FROM joined WHERE closed_at IS NULL AND (expires_at IS NULL OR expires_at > $3)) AS waiting_now`;

/** $1 from, $2 to. */
const ACTIONS_SQL = `
  SELECT
    count(*) FILTER (WHERE type = 'action.executing')::int AS executed,
    count(*) FILTER (WHERE type = 'action.succeeded')::int AS succeeded,
    count(*) FILTER (WHERE type = 'action.failed')::int AS failed,
    count(*) FILTER (WHERE type = 'action.undone')::int AS undone
  FROM audit_events
  WHERE at >= $1 AND at < $2 AND type IN ('action.executing', 'action.succeeded', 'action.failed', 'action.undone')`;

const PROBLEMS_LIMIT = 20;

/** $1 from, $2 to. An `action.undone` names only the undo: the action it undid is its `action.executing`. */
const PROBLEMS_SQL = `
  SELECT to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
    e.incident_id AS "incidentId",
    CASE e.type WHEN 'action.failed' THEN 'failed' ELSE 'undone' END AS outcome,
    (SELECT a->>'kind' || ' ' || concat_ws('/', nullif(a->>'namespace', ''), a->>'target')
     FROM (SELECT coalesce(e.data->'action', x.data->'action') AS a) act WHERE a IS NOT NULL) AS action,
    CASE e.type WHEN 'action.failed' THEN e.data->>'error' ELSE 'undone with ' || coalesce(e.data->'undo'->>'kind', 'its recorded undo') END AS detail
  FROM audit_events e
  LEFT JOIN LATERAL (
    SELECT x.data FROM audit_events x
    WHERE e.type = 'action.undone' AND x.incident_id = e.incident_id AND x.type = 'action.executing' AND x.data->>'actionId' = e.data->>'actionId'
    ORDER BY x.seq LIMIT 1
  ) x ON true
  WHERE e.type IN ('action.failed', 'action.undone') AND e.at >= $1 AND e.at < $2
  ORDER BY e.seq DESC LIMIT ${PROBLEMS_LIMIT}`;
