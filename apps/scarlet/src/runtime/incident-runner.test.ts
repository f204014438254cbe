import { describe, expect, it } from "vitest";
import { Command } from "@langchain/langgraph";
import { createLogger } from "@autodevops/shared";
import { eventually } from "@autodevops/shared/testing";
import type { ScarletGraph } from "../graph/build-graph.js";
import { IncidentRunner } from "./incident-runner.js";

/** A graph whose run takes `runMs` and then waits at await_approval, as a slow approval request (a pull request being opened) does. */
function slowAskingGraph(runMs: number) {
  const invocations: string[] = [];
  let waiting = false;
  const graph = {
    async invoke(input: unknown) {
      invocations.push(input instanceof Command ? "resume" : "start");
      await new Promise((r) => setTimeout(r, runMs));
      waiting = !(input instanceof Command);
    },
    getState: async () => ({ next: waiting ? ["await_approval"] : [], values: {}, tasks: [] }),
  } as unknown as ScarletGraph;
  return { graph, invocations };
}

describe("IncidentRunner", () => {
  it("does not start a thread again when it was poked during the run that then stopped to ask a human", async () => {
    const { graph, invocations } = slowAskingGraph(300);
    const runner = new IncidentRunner({ graph, log: createLogger({ service: "runner-test", level: "silent" }), settleMs: 50, retryMs: 50 });
    runner.poke("inc-1", 0);
    await eventually(() => runner.phaseOf("inc-1") === "running", "the run under way", 2000, 5);
    // New findings arrive while the request is being made.
    runner.poke("inc-1");
    await eventually(() => runner.phaseOf("inc-1") === "waiting", "the thread waiting for a human", 2000, 10);
    await new Promise((r) => setTimeout(r, 400));
    expect(invocations).toEqual(["start"]);
    expect(runner.phaseOf("inc-1")).toBe("waiting");
    // The human's decision resumes it, once.
    expect(runner.resumeIfWaiting("inc-1")).toBe(true);
    await eventually(() => runner.phaseOf("inc-1") === "done", "the thread done", 2000, 10);
    expect(invocations).toEqual(["start", "resume"]);
    await runner.stop();
  });
});
