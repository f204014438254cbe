import { z } from "zod";

// The operations report's shapes (seed 002's KPIs). Only zod here: the portal's page imports the
// types from this file, so it must not pull in pg or the server's modules.

const DAY_MS = 24 * 60 * 60 * 1000;
/** The longest range one report covers: the SQL reads every event in it. */
export const MAX_RANGE_DAYS = 90;
export const DEFAULT_RANGE_DAYS = 7;

const Iso = z.iso.datetime({ offset: true });

/** `?from&to&format` of `GET /api/report`; unknown parameters are refused rather than ignored. */
export const ReportQuery = z.strictObject({
  from: Iso.optional(),
  to: Iso.optional(),
  format: z.enum(["json", "csv"]).default("json"),
});
export type ReportQuery = z.input<typeof ReportQuery>;

export const ReportRange = z
  .object({ from: z.date(), to: z.date() })
  .refine((r) => r.from < r.to, { message: "from must be before to", path: ["from"] })
  .refine((r) => r.to.getTime() - r.from.getTime() <= MAX_RANGE_DAYS * DAY_MS, { message: `the range must be at most ${MAX_RANGE_DAYS} days`, path: ["to"] });
export type ReportRange = z.infer<typeof ReportRange>;

/**
 * The range a query asks for: `to` defaults to now, `from` to `DEFAULT_RANGE_DAYS` before `to`.
 * `now` is an argument so that the defaults are testable.
 */
export function reportRange(q: { from?: string | undefined; to?: string | undefined }, now: Date) {
  const to = q.to ? new Date(q.to) : now;
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
  return ReportRange.safeParse({ from, to });
}

/** Seconds between two moments over a set of samples; null figures when there is no sample. */
export const DurationStats = z.object({
  count: z.number().int().nonnegative(),
  medianSeconds: z.number().nonnegative().nullable(),
  p90Seconds: z.number().nonnegative().nullable(),
});
export type DurationStats = z.infer<typeof DurationStats>;

/** How an incident ended, read from its audit events (see operations-report.ts for the rules). */
export const OUTCOMES = ["autoFixed", "afterApproval", "escalated", "closedWithoutFix", "open"] as const;
export const Outcome = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof Outcome>;

export const KindRow = z.object({
  kind: z.string(),
  opened: z.number().int().nonnegative(),
  autoFixed: z.number().int().nonnegative(),
  afterApproval: z.number().int().nonnegative(),
  escalated: z.number().int().nonnegative(),
});
export type KindRow = z.infer<typeof KindRow>;

export const ActionProblem = z.object({
  at: Iso,
  incidentId: z.string().nullable(),
  outcome: z.enum(["failed", "undone"]),
  /** The action's kind and target, as `kind namespace/target`. */
  action: z.string().nullable(),
  detail: z.string().nullable(),
});
export type ActionProblem = z.infer<typeof ActionProblem>;

export const OperationsReport = z.object({
  range: z.object({ from: Iso, to: Iso }),
  generatedAt: Iso,
  incidents: z.object({
    opened: z.number().int().nonnegative(),
    byKind: z.array(KindRow),
  }),
  automation: z.object({
    autoFixed: z.number().int().nonnegative(),
    afterApproval: z.number().int().nonnegative(),
    escalated: z.number().int().nonnegative(),
    closedWithoutFix: z.number().int().nonnegative(),
    open: z.number().int().nonnegative(),
    /** autoFixed / (autoFixed + afterApproval + escalated); null when none of the three happened. */
    rate: z.number().min(0).max(1).nullable(),
  }),
  timeToDetect: DurationStats,
  timeToMitigate: DurationStats,
  approvals: z.object({
    requested: z.number().int().nonnegative(),
    approved: z.number().int().nonnegative(),
    rejected: z.number().int().nonnegative(),
    expired: z.number().int().nonnegative(),
    wait: DurationStats,
    /** Requests with no decision and not yet past their expiry, at `generatedAt` (whatever the range). */
    waitingNow: z.number().int().nonnegative(),
  }),
  actions: z.object({
    executed: z.number().int().nonnegative(),
    succeeded: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    undone: z.number().int().nonnegative(),
    /** The latest failed and undone actions, newest first. */
    problems: z.array(ActionProblem),
  }),
  /** Where root-cause kinds and first-signal times came from; null when Scarlet's table is not in this database. */
  incidentRecords: z.enum(["scarlet_incidents"]).nullable(),
});
export type OperationsReport = z.infer<typeof OperationsReport>;
