import { describe, expect, it } from "vitest";
import { fenceposts, newReplicaSetReplicas, scaleDownOld, type RsView } from "./deployment-rollout.js";
import type { DeploymentSpec } from "./kube-shapes.js";

const rolling = (replicas: number, maxSurge: number | string = "25%", maxUnavailable: number | string = "25%"): DeploymentSpec => ({
  replicas,
  strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge, maxUnavailable } },
});
const rs = (name: string, replicas: number, available: number, created = "2024-01-01T00:00:00Z"): RsView => ({ name, replicas, available, created });

describe("rollout arithmetic", () => {
  it("rounds maxSurge up and maxUnavailable down, and never lets both be zero", () => {
    expect(fenceposts(rolling(10))).toEqual({ surge: 3, unavailable: 2 });
    expect(fenceposts(rolling(1))).toEqual({ surge: 1, unavailable: 0 });
    expect(fenceposts(rolling(3, 0, 0))).toEqual({ surge: 0, unavailable: 1 });
    expect(fenceposts({ replicas: 3, strategy: { type: "Recreate" } })).toEqual({ surge: 0, unavailable: 0 });
  });

  it("scales the new ReplicaSet up only as far as the surge allows", () => {
    expect(newReplicaSetReplicas(rolling(4), undefined, [rs("old", 4, 4)])).toBe(1);
    expect(newReplicaSetReplicas(rolling(4), rs("new", 1, 0), [rs("old", 4, 4)])).toBe(1);
    expect(newReplicaSetReplicas(rolling(4), rs("new", 1, 0), [rs("old", 3, 3)])).toBe(2);
    expect(newReplicaSetReplicas(rolling(4), rs("new", 6, 6), [])).toBe(4);
  });

  it("scales old ReplicaSets down while replicas - maxUnavailable stay available, unavailable pods first", () => {
    expect(scaleDownOld(rolling(4), rs("new", 1, 0), [rs("old", 4, 4)])).toEqual(new Map([["old", 3]]));
    expect(scaleDownOld(rolling(4), rs("new", 1, 0), [rs("old", 3, 3)])).toEqual(new Map());
    expect(scaleDownOld(rolling(4), rs("new", 2, 2), [rs("old", 3, 1)])).toEqual(new Map([["old", 1]]));
    expect(scaleDownOld(rolling(4), rs("new", 4, 4), [rs("older", 1, 1, "2024-01-01T00:00:00Z"), rs("old", 1, 1, "2024-01-02T00:00:00Z")])).toEqual(
      new Map([
        ["older", 0],
        ["old", 0],
      ]),
    );
  });
});
