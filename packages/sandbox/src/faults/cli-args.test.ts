import { describe, expect, it } from "vitest";
import { formatFaults, parseCli } from "./cli-args.js";

describe("sandbox CLI arguments", () => {
  it("reads a workload fault with cluster and numeric params", () => {
    expect(parseCli(["fault", "oom", "shop/cart", "--cluster", "staging", "--param", "workingSetMi=600", "--param", "message=boom"])).toEqual({
      cmd: "fault",
      body: { kind: "oom", cluster: "staging", namespace: "shop", target: "cart", params: { workingSetMi: 600, message: "boom" } },
    });
  });

  it("reads a node fault without a namespace", () => {
    expect(parseCli(["fault", "node-not-ready", "node-b"])).toMatchObject({ body: { namespace: "", target: "node-b" } });
  });

  it("explains what is wrong with malformed arguments", () => {
    expect(parseCli(["fault", "oom"])).toMatch(/KIND and a NAMESPACE\/TARGET/);
    expect(parseCli(["fault", "oom", "shop/cart", "--param", "x"])).toMatch(/key=value/);
    expect(parseCli(["cure"])).toBe("cure takes one fault id");
    expect(parseCli(["explode"])).toBe('unknown command "explode"');
  });

  it("prints faults as an aligned table with who cured them", () => {
    const table = formatFaults([
      { id: "ab12", kind: "crashloop", cluster: "prod", namespace: "shop", target: "cart", params: {}, injectedAt: "2026-01-01T00:00:00.000Z", cured: true, curedAt: "2026-01-01T00:01:00.000Z", curedBy: "admin" },
    ]).split("\n");
    expect(table[0]).toMatch(/^ID\s+KIND\s+CLUSTER\s+TARGET/);
    expect(table[1]).toMatch(/^ab12\s+crashloop\s+prod\s+shop\/cart\s+2026-01-01T00:00:00.000Z\s+2026-01-01T00:01:00.000Z\s+admin$/);
  });
});
