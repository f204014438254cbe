import type { AuditEvent, AuditStore, Incident, Logger } from "@autodevops/shared";
import type { GitOpsRepo } from "../gitops/gitops-repo.js";
import { writePostmortem } from "../postmortem/postmortem.js";
import { sweepEvery } from "./sweep.js";

/** How long after an incident closes its postmortem waits, so the closing lines (summary, verification) are in the audit log. */
const SETTLE_MS = 10_000;
/** Incidents closed longer ago than this are not filed any more (a first start with an old database files nothing old). */
const LOOKBACK_MS = 24 * 3600_000;

export type PostmortemFilingOptions = {
  mode: "pr" | "issue";
  repo: Pick<GitOpsRepo, "fullName" | "openPullRequest" | "branchExists" | "openIssue">;
  incidents(since: Date): Promise<Incident[]>;
  audit: Pick<AuditStore, "append" | "query">;
  /** Whether this replica works the incident (the leader of its cluster does). */
  ours(incident: Incident): boolean;
  log: Pick<Logger, "info" | "warn">;
  now: () => Date;
  everyMs: number;
};

/** Incidents worth a postmortem: something broke and Scarlet acted, asked or handed it to people. */
const worthOne = (i: Incident) => !i.symptomOf && i.resolvedAt !== undefined && (i.decision?.route === "auto" || i.decision?.route === "approval" || i.decision?.route === "escalate");

/**
 * Files each closed incident's postmortem (timeline, root cause, actions, follow-ups) in the GitOps
 * repository, as a pull request adding `postmortems/<date>-<id>.md` or as an issue: seed 000's
 * "document incident". Once per incident: the audit log's `postmortem.filed` (and, for pull
 * requests, the branch named after the incident) says it was done, across restarts and replicas.
 */
export function filePostmortems(o: PostmortemFilingOptions): () => void {
  const filed = new Set<string>();

  const alreadyFiled = async (id: string) => {
    const r = await o.audit.query({ incidentId: id, type: "postmortem.filed", limit: 1 });
    return r.ok && r.value.length > 0;
  };
  const eventsOf = async (id: string): Promise<AuditEvent[]> => {
    const events: AuditEvent[] = [];
    for (let cursor: number | undefined; ; ) {
      const r = await o.audit.query({ incidentId: id, order: "asc", limit: 1000, ...(cursor !== undefined ? { cursor } : {}) });
      if (!r.ok) throw new Error(`the audit log of ${id}: ${r.error.message}`);
      events.push(...r.value);
      if (r.value.length < 1000 || events.length >= 5000) return events;
      cursor = r.value.at(-1)?.seq;
    }
  };

  const fileOne = async (i: Incident, all: Incident[]) => {
    const pm = writePostmortem({ incident: i, events: await eventsOf(i.id), symptoms: all.filter((x) => x.symptomOf === i.id), now: o.now() });
    let url: string;
    if (o.mode === "pr") {
      const branch = `postmortem/${i.id}`;
      if (await o.repo.branchExists(branch)) return void filed.add(i.id);
      url = (await o.repo.openPullRequest({ branch, title: pm.title, body: `The postmortem of incident \`${i.id}\`, written by Scarlet from its audit log. Edit it on this branch, then merge it to keep it.`, files: [{ path: pm.path, content: pm.markdown }] })).url;
    } else {
      url = (await o.repo.openIssue(pm.title, pm.markdown, ["postmortem", "autodevops"])).url;
    }
    filed.add(i.id);
    await o.audit.append({ actor: "scarlet", type: "postmortem.filed", incidentId: i.id, cluster: i.cluster, namespace: i.namespace, data: { url, mode: o.mode, repo: o.repo.fullName, path: pm.path } });
    o.log.info({ incidentId: i.id, url }, "postmortem filed");
  };

  const once = async () => {
    const now = o.now().getTime();
    const all = await o.incidents(new Date(now - LOOKBACK_MS));
    for (const i of all) {
      if (!worthOne(i) || filed.has(i.id) || !o.ours(i) || now - Date.parse(i.resolvedAt ?? "") < SETTLE_MS) continue;
      if (await alreadyFiled(i.id)) {
        filed.add(i.id);
        continue;
      }
      await fileOne(i, all).catch((e: unknown) => o.log.warn({ err: e, incidentId: i.id }, "could not file the postmortem (tried again later)"));
    }
  };
  return sweepEvery(o.everyMs, once, o.log, "postmortem filing");
}
