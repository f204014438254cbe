import { createLogger } from "@autodevops/shared";
import { createTestDatabase, type TestDatabase } from "@autodevops/shared/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operationsReportCsv } from "./operations-report-csv.js";
import { writeReportHistory, type ReportHistory } from "./operations-report.fixture.js";
import { reportRange, type ReportRange } from "./operations-report-schema.js";
import { operationsReport } from "./operations-report.js";

const log = createLogger({ service: "report-test", level: "silent" });
let db: TestDatabase;
let pool: pg.Pool;
let history: ReportHistory;

beforeAll(async () => {
  db = await createTestDatabase("jamie_report");
  history = await writeReportHistory(db.url, log);
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  // The database is dropped WITH (FORCE) at the end: a connection it cuts must not be an uncaught error.
  pool.on("error", (e) => log.warn({ err: e }, "report test pool connection lost"));
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

async function reportOf(range: ReportRange) {
  const r = await operationsReport(pool, range, new Date());
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** Seconds between two recorded events, from their microsecond timestamps. */
function between(a: string, b: string): number {
  const at = (k: string) => {
    const e = history.events.get(k);
    if (!e) throw new Error(`no event ${k} in the history`);
    const [, frac = "0"] = /\.(\d+)Z$/.exec(e.at) ?? [];
    return BigInt(Date.parse(e.at.replace(/\.\d+Z$/, "Z"))) * 1000n + BigInt(frac.padEnd(6, "0"));
  };
  return Number(at(b) - at(a)) / 1e6;
}

/** percentile_cont over a handful of samples, written out: the position (n - 1) * p, interpolated. */
function percentile(samples: number[], p: number): number {
  const s = [...samples].sort((x, y) => x - y);
  const pos = (s.length - 1) * p;
  const lo = s[Math.floor(pos)] ?? NaN;
  const hi = s[Math.ceil(pos)] ?? NaN;
  return lo + (hi - lo) * (pos - Math.floor(pos));
}

/** The report gives seconds rounded to the millisecond. */
function expectMs(actual: number | null, expected: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual ?? NaN) - expected)).toBeLessThanOrEqual(0.0005 + 1e-9);
}

describe("the operations report over a hand-built audit history", () => {
  it("counts the incidents opened in the range by root-cause kind and outcome, leaving out those before and after it", async () => {
    const r = await reportOf({ from: history.from, to: history.to });
    expect(r.incidents.opened).toBe(8);
    expect(r.incidents.byKind).toEqual([
      { kind: "crashloop", opened: 2, autoFixed: 1, afterApproval: 0, escalated: 1 },
      { kind: "bad-rollout", opened: 1, autoFixed: 0, afterApproval: 0, escalated: 1 },
      { kind: "image-pull", opened: 1, autoFixed: 0, afterApproval: 1, escalated: 0 },
      { kind: "memory-leak", opened: 1, autoFixed: 0, afterApproval: 0, escalated: 1 },
      { kind: "oom", opened: 1, autoFixed: 0, afterApproval: 0, escalated: 1 },
      { kind: "traffic-spike", opened: 1, autoFixed: 0, afterApproval: 0, escalated: 0 },
      { kind: "unknown", opened: 1, autoFixed: 0, afterApproval: 0, escalated: 0 },
    ]);
    expect(r.automation).toEqual({ autoFixed: 1, afterApproval: 1, escalated: 4, closedWithoutFix: 1, open: 1, rate: 1 / 6 });
    expect(r.incidentRecords).toBe("scarlet_incidents");
  });

  it("measures time to detect from each incident's first signal to its opening, and time to mitigate to the first passed verification", async () => {
    const r = await reportOf({ from: history.from, to: history.to });
    // First signals 30, 90, 10, 60, 20, 40 and 120 s before opening; the noise incident has no Scarlet record.
    expect(r.timeToDetect).toEqual({ count: 7, medianSeconds: 40, p90Seconds: 102 });
    const mitigated = [between("inc-auto incident.opened", "inc-auto verification.passed"), between("inc-approved incident.opened", "inc-approved verification.passed")];
    expect(mitigated[1]).toBeGreaterThan(mitigated[0] ?? Infinity);
    expect(r.timeToMitigate.count).toBe(2);
    expectMs(r.timeToMitigate.medianSeconds, percentile(mitigated, 0.5));
    expectMs(r.timeToMitigate.p90Seconds, percentile(mitigated, 0.9));
  });

  it("reports approvals: decided, rejected, expired, their waiting time, and the one still waiting now", async () => {
    const r = await reportOf({ from: history.from, to: history.to });
    const waits = [
      between("inc-approved approval.requested apr-approved", "inc-approved approval.decided apr-approved"),
      between("inc-rejected approval.requested apr-rejected", "inc-rejected approval.decided apr-rejected"),
      between("inc-expired approval.requested apr-expired", "inc-expired approval.expired apr-expired"),
    ];
    // The stale request (past its expiry, never closed) is requested but not waiting.
    expect(r.approvals).toMatchObject({ requested: 5, approved: 1, rejected: 1, expired: 1, waitingNow: 1 });
    expect(r.approvals.wait.count).toBe(3);
    expectMs(r.approvals.wait.medianSeconds, percentile(waits, 0.5));
    expectMs(r.approvals.wait.p90Seconds, percentile(waits, 0.9));
  });

  it("counts actions run, succeeded, failed and undone, and names the failed and the undone ones, newest first", async () => {
    const r = await reportOf({ from: history.from, to: history.to });
    expect(r.actions).toMatchObject({ executed: 5, succeeded: 4, failed: 1, undone: 1 });
    expect(r.actions.problems.map(({ incidentId, outcome, action, detail }) => ({ incidentId, outcome, action, detail }))).toEqual([
      { incidentId: "inc-undone", outcome: "undone", action: "rollout-restart shop/redis-cart", detail: "undone with rollback" },
      { incidentId: "inc-failed", outcome: "failed", action: "rollout-restart shop/checkout", detail: "forbidden: patch deployments" },
    ]);
  });

  it("counts nothing but the still-waiting approval in a range before the history", async () => {
    const r = await reportOf({ from: new Date(history.from.getTime() - 86_400_000), to: new Date(history.from.getTime() - 3_600_000) });
    expect(r.incidents).toEqual({ opened: 0, byKind: [] });
    expect(r.automation.rate).toBeNull();
    expect(r.timeToMitigate).toEqual({ count: 0, medianSeconds: null, p90Seconds: null });
    expect(r.approvals).toMatchObject({ requested: 0, waitingNow: 1 });
    expect(r.actions).toEqual({ executed: 0, succeeded: 0, failed: 0, undone: 0, problems: [] });
  });

  it("returns unavailable, naming the cause, when the database does not answer", async () => {
    const gone = new pg.Pool({ connectionString: db.url.replace(/\/[^/]+$/, "/no_such_database_here") });
    const r = await operationsReport(gone, { from: history.from, to: history.to }, new Date());
    await gone.end();
    expect(r).toMatchObject({ ok: false, error: { code: "unavailable", message: expect.stringMatching(/no_such_database_here/) } });
  });

  it("writes the CSV with a header, one row per KPI and a section per kind", async () => {
    const r = await reportOf({ from: history.from, to: history.to });
    const lines = operationsReportCsv(r).trimEnd().split("\r\n");
    expect(lines[0]).toBe("section,name,value,unit");
    expect(lines).toContain("incidents,opened,8,incidents");
    expect(lines).toContain(`automation,rate,${1 / 6},ratio`);
    expect(lines).toContain("time_to_detect,median,40,seconds");
    expect(lines).toContain("approvals,waiting_now,1,requests");
    expect(lines).toContain("incidents_by_kind,crashloop.opened,2,incidents");
    expect(lines).toContain("incidents_by_kind,image-pull.fixed_after_approval,1,incidents");
    expect(lines.find((l) => l.startsWith("action_failed,"))).toMatch(/inc-failed rollout-restart shop\/checkout,forbidden: patch deployments,text$/);
  });
});

describe("the report's range", () => {
  const now = new Date("2026-05-10T12:00:00Z");
  it("defaults to the last seven days up to now", () => {
    const r = reportRange({}, now);
    expect(r.success && { from: r.data.from.toISOString(), to: r.data.to.toISOString() }).toEqual({ from: "2026-05-03T12:00:00.000Z", to: "2026-05-10T12:00:00.000Z" });
  });
  it("refuses a range over 90 days and one that ends before it starts", () => {
    expect(reportRange({ from: "2026-01-01T00:00:00Z", to: "2026-04-02T00:00:00Z" }, now).success).toBe(false);
    expect(reportRange({ from: "2026-01-01T00:00:00Z", to: "2026-03-31T00:00:00Z" }, now).success).toBe(true);
    expect(reportRange({ from: "2026-05-02T00:00:00Z", to: "2026-05-01T00:00:00Z" }, now).success).toBe(false);
  });
});
