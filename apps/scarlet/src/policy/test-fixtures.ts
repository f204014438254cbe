import type { z } from "zod";
import type { Action, IncidentAction } from "@autodevops/shared";
import { PolicyContext, PolicySettings, type PolicyPlan } from "./policy-inputs.js";

/** Builders for the policy tests: a healthy default that each test changes one thing of. */

export const NOW = new Date("2026-11-23T10:00:00.000Z");
export const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();

export const restart = (target = "cart", namespace = "shop"): Action => ({
  kind: "rollout-restart",
  cluster: "prod",
  namespace,
  target,
  params: { workloadKind: "Deployment" },
});

export function plan(over: Partial<PolicyPlan> = {}): PolicyPlan {
  return { incidentId: "inc-1", faultKind: "crashloop", broken: true, action: restart(), risk: "low", confidence: 0.9, ...over };
}

/** Two replicas, both Ready; Kubernetes' default rollout (maxUnavailable 0 at two replicas). */
export function context(over: Omit<Partial<PolicyContext>, "settings"> & { settings?: z.input<typeof PolicySettings> } = {}): PolicyContext {
  const { settings, ...rest } = over;
  return PolicyContext.parse({
    facts: { kind: "workload", replicas: 2, readyPods: ["cart-a", "cart-b"] },
    ...rest,
    settings: PolicySettings.parse(settings ?? {}),
  });
}

let seq = 0;
/** A past action record as an incident holds it. */
export function record(action: Action, status: IncidentAction["status"], secondsAgo: number): IncidentAction {
  seq += 1;
  return { ...action, id: `act-${seq}`, status, requestedAt: ago(secondsAgo), by: "scarlet" } as IncidentAction;
}
