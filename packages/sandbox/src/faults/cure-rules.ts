import type { Mutation } from "../api/mutation-log.js";
import type { CureVerdict, CureView, KindFault } from "./kind-def.js";

export const notYet: CureVerdict = { cured: false };

/** Cured, by the user of the latest call since injection that `relevant` picks (the injection's own left out). */
export function curedBy(f: KindFault<unknown>, view: CureView, relevant: (m: Mutation) => boolean): CureVerdict {
  const since = new Date(f.injectedAt).getTime();
  for (let i = view.mutations.length - 1; i >= 0; i--) {
    const m = view.mutations[i];
    if (!m || m.cluster !== f.cluster || f.own.includes(m) || new Date(m.at).getTime() < since) continue;
    if (relevant(m)) return { cured: true, by: m.user };
  }
  return { cured: true, by: undefined };
}

/** A call on the fault's target workload (its Deployment or StatefulSet, any subresource). */
export const onTargetWorkload =
  (f: KindFault<unknown>) =>
  (m: Mutation): boolean =>
    m.namespace === f.namespace && m.name === f.target && (m.resource === "deployments" || m.resource === "statefulsets");
