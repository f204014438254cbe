import { describe, expect, it } from "vitest";
import { parseExposition } from "./exposition.js";

describe("parseExposition", () => {
  it("reads names, labels with escapes, special values and timestamps, and skips comments", () => {
    const text = [
      "# HELP http_requests_total Total HTTP requests served, by status code.",
      "# TYPE http_requests_total counter",
      'http_requests_total{namespace="shop",service="frontend",code="200"} 1027',
      'weird{msg="a \\"quoted\\" \\\\ value\\nnext", empty=""} 1.5e3 1712345678000',
      'http_request_duration_seconds_bucket{le="+Inf",service="x"} +Inf',
      "up NaN",
      "process_start_time_seconds 17",
      "",
    ].join("\n");
    const { samples, skipped } = parseExposition(text);
    expect(skipped).toBe(0);
    expect(samples[0]).toEqual({ name: "http_requests_total", labels: { namespace: "shop", service: "frontend", code: "200" }, value: 1027 });
    expect(samples[1]).toEqual({ name: "weird", labels: { msg: 'a "quoted" \\ value\nnext', empty: "" }, value: 1500 });
    expect(samples[2]?.value).toBe(Infinity);
    expect(samples[3]?.value).toBeNaN();
    expect(samples[4]).toEqual({ name: "process_start_time_seconds", labels: {}, value: 17 });
  });

  it("leaves out a malformed line and keeps the rest of the scrape", () => {
    const { samples, skipped } = parseExposition('good 1\nbad{x="unterminated} 2\nalso_bad{x="1"} notanumber\nfine{a="b",} 3\n');
    expect(samples.map((s) => s.name)).toEqual(["good", "fine"]);
    expect(skipped).toBe(2);
  });
});
