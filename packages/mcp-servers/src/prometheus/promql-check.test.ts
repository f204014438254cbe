import { describe, expect, it } from "vitest";
import { checkPromql, formatPromqlProblem } from "./promql-check.js";

describe("checkPromql", () => {
  it.each([
    "up",
    'sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="shop"}[5m]))',
    'histogram_quantile(0.99, sum by (le, service) (rate(http_request_duration_seconds_bucket{service="checkout"}[5m])))',
    "kube_deployment_spec_replicas > kube_deployment_status_replicas_available",
    "max_over_time(up[10m:1m]) offset 5m",
  ])("accepts %s", (q) => {
    expect(checkPromql(q).ok).toBe(true);
  });

  it.each([
    ["sum(rate(x[5m])", 1, 16, '"(" never closed (add ")")'],
    ["up{", 1, 4, '"{" never closed (add "}")'],
    ['up{job="a}', 1, 11, "ends inside a string"],
    ["foo bar", 1, 5, 'unexpected "bar"'],
    ["up)", 1, 3, 'unexpected ")": nothing open for it to close'],
    ["rte(up[5m])", 1, 4, '"rte" is not a PromQL function'],
    ["sum by (pod) (\n  rate(x[5m]) +\n)", 3, 1, "unexpected"],
    ["   ", 1, 1, "the query is empty"],
  ])("refuses %j at line %i, column %i: %s", (q, line, column, hint) => {
    const r = checkPromql(q);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ line, column });
    expect(r.error.hint).toContain(hint);
  });

  it("points at the error with a caret under the query's line", () => {
    const r = checkPromql('sum(rate(http_requests_total{service="cart"}[5m])');
    if (r.ok) throw new Error("expected an error");
    expect(formatPromqlProblem(r.error)).toBe(
      'malformed PromQL at line 1, column 50: the query ends too early: "(" never closed (add ")")\n' +
        '  sum(rate(http_requests_total{service="cart"}[5m])\n' +
        "                                                   ^\n" +
        "Fix the query and call again; it was not sent to Prometheus.",
    );
  });
});
