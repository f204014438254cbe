import type { Answer, Citation } from "./chat-events.js";
import type { Intent } from "./intents.js";
import { count, say } from "./persona.js";
import type { AnswerContext } from "./answers/context.js";
import { whatsWrong, whyRestarted, workloadStatus } from "./answers/diagnose.js";
import { approvals, changeRequest, incidents } from "./answers/scarlet.js";
import { alerts, recentErrors, whatChanged } from "./answers/telemetry.js";

const clip = (s: string, n = 220) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** "Have we seen this before?": the vector memory's hits, and Scarlet's past incidents on the same workload. */
async function seenBefore(intent: Extract<Intent, { type: "seen-before" }>, ctx: AnswerContext): Promise<Answer> {
  const lines: string[] = [];
  const citations: Citation[] = [];
  if (ctx.recall) {
    try {
      const hits = (await ctx.recall(intent.query, ctx.user.id)).filter((h) => h.score >= 0.3).slice(0, 3);
      for (const h of hits) {
        const id = typeof h.metadata.incidentId === "string" ? h.metadata.incidentId : undefined;
        lines.push(`- (${h.kind}, ${Math.round(h.score * 100)}% alike) ${clip(h.text)}`);
        if (id) citations.push({ kind: "incident", ref: id, label: clip(h.text, 60) });
      }
    } catch (e) {
      ctx.log.warn({ err: (e as Error).message }, "memory recall failed");
    }
  }
  if (intent.workload) {
    const r = await ctx.scarlet.listIncidents({ since: new Date(ctx.now.getTime() - 30 * 86_400_000) }, ctx.signal);
    const past = r.ok ? r.value.filter((i) => (i.rootCause?.workload ?? i.workload) === intent.workload && i.cluster === intent.cluster) : [];
    for (const i of past.slice(0, 3)) {
      lines.push(`- ${i.id} on ${i.openedAt.slice(0, 10)}: "${i.title}" (${i.rootCause?.kind ?? "cause unknown"}), ${i.status}${i.actions[0] ? `; Scarlet did ${i.actions.map((a) => a.kind).join(", ")}` : ""}`);
      citations.push({ kind: "incident", ref: i.id, label: i.title });
    }
  }
  if (lines.length === 0) {
    const mem = ctx.recall ? "nothing alike in memory" : "memory isn't available";
    return { answer: `Not that I know of: ${mem}${intent.workload ? `, and no incidents on ${intent.workload} in the last 30 days` : ""}.`, citations };
  }
  return { answer: `Possibly. ${count(lines.length, "thing")} that look${lines.length === 1 ? "s" : ""} alike:\n${lines.join("\n")}`, citations };
}

/**
 * Answers an intent from live data, without a model: the read tools through the (read-only)
 * toolbox, and Scarlet's API. Each answer names what is wrong and where, and cites its data.
 */
export async function answerWithoutModel(intent: Intent, ctx: AnswerContext): Promise<Answer> {
  switch (intent.type) {
    case "whats-wrong":
      return whatsWrong(intent, ctx);
    case "workload-status":
      return workloadStatus(intent, ctx);
    case "why-restarted":
      return whyRestarted(intent, ctx);
    case "alerts":
      return alerts(intent, ctx);
    case "recent-errors":
      return recentErrors(intent, ctx);
    case "what-changed":
      return whatChanged(intent, ctx);
    case "incidents":
      return incidents(intent, ctx);
    case "approvals":
      return approvals(ctx);
    case "seen-before":
      return seenBefore(intent, ctx);
    case "change-request":
      return changeRequest(intent, ctx);
    case "help":
      return { answer: `Hello. ${say.noModel}`, citations: [] };
    case "unknown":
      return { answer: `${say.unknownPrefix} ${say.noModel}`, citations: [] };
  }
}
