import { confidence, evidenceOf } from "./evidence.js";
import type { Playbook } from "./types.js";

/** Kinds where nothing is broken: named so they are recognised, never acted on, never escalated. */
function quiet(kind: "flapping" | "noise", reason: string): Playbook {
  return {
    kind,
    diagnose(fs, ctx) {
      const mine = fs.filter((f) => f.kind === kind);
      const first = mine[0];
      if (!first) return undefined;
      return {
        kind,
        confidence: confidence(0.7, mine),
        cluster: first.cluster || ctx.cluster,
        namespace: first.namespace,
        ...(first.workload ? { workload: first.workload } : {}),
        summary: `${first.workload ?? first.namespace}: ${reason}`,
        evidence: evidenceOf(mine),
        ruledOut: [],
        details: {},
      };
    },
    candidates: () => ({ route: "none", reason }),
  };
}

export const flapping = quiet("flapping", "a metric crosses its threshold briefly and recovers; nothing is broken");
export const noise = quiet("noise", "harmless noise (bot 4xx, routine ERROR lines, short peaks); nothing is broken");
