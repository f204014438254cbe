import { END, START, StateGraph, type BaseCheckpointSaver } from "@langchain/langgraph";
import type { GraphDeps } from "./deps.js";
import { actNode } from "./nodes/act.js";
import { awaitApprovalNode } from "./nodes/await-approval.js";
import { decideNode } from "./nodes/decide.js";
import { detectNode } from "./nodes/detect.js";
import { escalateNode } from "./nodes/escalate.js";
import { learnNode } from "./nodes/learn.js";
import { monitorNode } from "./nodes/monitor.js";
import { verifyNode } from "./nodes/verify.js";
import { afterAct, afterApproval, afterDecide, afterDetect, afterMonitor, afterVerify, NODES } from "./routers.js";
import { ScarletState } from "./state.js";

/**
 * Scarlet's state machine for one incident: monitor → detect → decide → (act → verify |
 * await_approval → act → verify | escalate) → learn. Checkpointed per incident thread.
 */
export function buildScarletGraph(deps: GraphDeps, checkpointer: BaseCheckpointSaver) {
  return new StateGraph(ScarletState)
    .addNode(NODES.monitor, monitorNode(deps))
    .addNode(NODES.detect, detectNode(deps))
    .addNode(NODES.decide, decideNode(deps))
    .addNode(NODES.awaitApproval, awaitApprovalNode(deps))
    .addNode(NODES.act, actNode(deps))
    .addNode(NODES.verify, verifyNode(deps))
    .addNode(NODES.escalate, escalateNode(deps))
    .addNode(NODES.learn, learnNode(deps))
    .addEdge(START, NODES.monitor)
    .addConditionalEdges(NODES.monitor, afterMonitor, [NODES.detect, END])
    .addConditionalEdges(NODES.detect, afterDetect, [NODES.decide, END])
    .addConditionalEdges(NODES.decide, afterDecide, [NODES.act, NODES.awaitApproval, NODES.escalate, NODES.learn, END])
    .addConditionalEdges(NODES.awaitApproval, afterApproval, [NODES.act, NODES.awaitApproval, NODES.escalate])
    .addConditionalEdges(NODES.act, afterAct, [NODES.verify, NODES.escalate])
    .addConditionalEdges(NODES.verify, afterVerify, [NODES.learn, NODES.escalate])
    .addEdge(NODES.escalate, NODES.learn)
    .addEdge(NODES.learn, END)
    .compile({ checkpointer });
}
export type ScarletGraph = ReturnType<typeof buildScarletGraph>;
