import type pg from "pg";

/** Why a row breaks the chain. */
export type ChainBreak =
  /** The row's content no longer matches its hash: it was edited. */
  | "edited"
  /** Rows before this seq are gone: deleted. */
  | "missing"
  /** The row does not point at the hash of the row before it: that row's hash was rewritten. */
  | "relinked"
  /** The log ends before the chain head says it does: its last rows were deleted. */
  | "truncated";

export type ChainVerification =
  | { valid: true; checked: number; headSeq: number; headHash: string }
  | { valid: false; checked: number; firstBroken: { seq: number; reason: ChainBreak; detail: string } };

const GENESIS = "0".repeat(64);

// Recomputed by the same SQL function that wrote the hashes, so the check does not depend on
// how a client formats timestamps or JSON.
const FIRST_BREAK_SQL = `
  WITH chain AS (
    SELECT seq, hash, prev_hash,
           audit_event_hash(prev_hash, seq, at, actor, type, incident_id, target, cluster, namespace, data) AS expected,
           lag(seq)  OVER (ORDER BY seq) AS prev_seq,
           lag(hash) OVER (ORDER BY seq) AS prev_row_hash
    FROM audit_events
  )
  SELECT seq, hash, prev_hash, expected, prev_seq, prev_row_hash
  FROM chain
  WHERE seq <> coalesce(prev_seq, 0) + 1
     OR prev_hash <> coalesce(prev_row_hash, '${GENESIS}')
     OR hash <> expected
  ORDER BY seq
  LIMIT 1`;

interface BreakRow {
  seq: string;
  hash: string;
  prev_hash: string;
  expected: string;
  prev_seq: string | null;
  prev_row_hash: string | null;
}

/** Walks the whole log in one consistent snapshot and names the first row that does not hold. */
export async function verifyAuditChain(pool: pg.Pool): Promise<ChainVerification> {
  const client = await pool.connect();
  try {
    // One snapshot for the walk and the head, so appends made meanwhile do not look like breaks.
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const broken = await client.query<BreakRow>(FIRST_BREAK_SQL);
    const stats = await client.query<{ n: string; last_seq: string | null; last_hash: string | null }>(
      "SELECT count(*) AS n, max(seq) AS last_seq, (SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1) AS last_hash FROM audit_events",
    );
    const head = await client.query<{ seq: string; hash: string }>("SELECT seq, hash FROM audit_chain_head");
    await client.query("COMMIT");

    const checked = Number(stats.rows[0]?.n ?? 0);
    const row = broken.rows[0];
    if (row) {
      const seq = Number(row.seq);
      const prevSeq = row.prev_seq === null ? 0 : Number(row.prev_seq);
      if (seq !== prevSeq + 1) {
        return { valid: false, checked, firstBroken: { seq: prevSeq + 1, reason: "missing", detail: `rows ${prevSeq + 1}..${seq - 1} are missing` } };
      }
      if (row.hash !== row.expected) {
        return { valid: false, checked, firstBroken: { seq, reason: "edited", detail: `row ${seq} no longer matches its hash` } };
      }
      return {
        valid: false,
        checked,
        firstBroken: { seq, reason: "relinked", detail: `row ${seq} does not link to the hash of row ${prevSeq}` },
      };
    }
    const headRow = head.rows[0];
    if (!headRow) throw new Error("audit_chain_head has no row; were the migrations run?");
    const lastSeq = Number(stats.rows[0]?.last_seq ?? 0);
    const lastHash = stats.rows[0]?.last_hash ?? GENESIS;
    if (Number(headRow.seq) !== lastSeq || headRow.hash !== lastHash) {
      return {
        valid: false,
        checked,
        firstBroken: {
          seq: lastSeq + 1,
          reason: "truncated",
          detail: `the log ends at row ${lastSeq} but the chain head is at row ${headRow.seq}`,
        },
      };
    }
    return { valid: true, checked, headSeq: lastSeq, headHash: lastHash };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
