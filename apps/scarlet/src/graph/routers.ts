import { END } from "@langchain/langgraph";
import type { ScarletStateType } from "./state.js";

/** Node names, so routers and the builder cannot disagree. */
export const NODES = {
  monitor: "monitor",
  detect: "detect",
  decide: "decide",
  awaitApproval: "await_approval",
  act: "act",
  verify: "verify",
  escalate: "escalate",
  learn: "learn",
} as const;
type To<K extends keyof typeof NODES> = (typeof NODES)[K] | typeof END;

/** A paused run ends here; the runner starts it again when something changes. */
export const afterMonitor = (s: ScarletStateType): To<"detect"> => (s.pause ? END : NODES.detect);
export const afterDetect = (s: ScarletStateType): To<"decide"> => (s.pause ? END : NODES.decide);

export function afterDecide(s: ScarletStateType): To<"act" | "awaitApproval" | "escalate" | "learn"> {
  if (s.pause) return END;
  switch (s.judgement?.route) {
    case "auto":
      return NODES.act;
    case "approval":
      return NODES.awaitApproval;
    case "none":
      return NODES.learn;
    default:
      return NODES.escalate;
  }
}

export const afterApproval = (s: ScarletStateType): To<"act" | "awaitApproval" | "escalate"> =>
  s.approvalStatus === "approved" ? NODES.act : s.approvalStatus === "pending" ? NODES.awaitApproval : NODES.escalate;
export const afterAct = (s: ScarletStateType): To<"verify" | "escalate"> => (s.execution?.ok ? NODES.verify : NODES.escalate);
export const afterVerify = (s: ScarletStateType): To<"learn" | "escalate"> => (s.verification?.healthy || s.verification?.superseded ? NODES.learn : NODES.escalate);
