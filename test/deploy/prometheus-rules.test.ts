import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * deploy/prometheus/rules.yaml, checked by the real promtool: the syntax and lint check, and
 * promtool's own unit tests (test/deploy/fixtures/prometheus-rules.unit.yaml) that feed input
 * series and assert which alerts fire, with which labels, after their `for:`.
 */

const root = fileURLToPath(new URL("../../", import.meta.url));
const RULES = "deploy/prometheus/rules.yaml";
const UNIT = "test/deploy/fixtures/prometheus-rules.unit.yaml";

function promtool(...args: string[]): { status: number | null; output: string } {
  const r = spawnSync("promtool", args, { cwd: root, encoding: "utf8", timeout: 60_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new Error("promtool is not installed: run `apt-get install prometheus` (the Debian package that ships promtool)");
  }
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("Prometheus alerting rules", () => {
  it("pass `promtool check rules` (syntax and lint)", () => {
    const r = promtool("check", "rules", RULES);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("pass `promtool test rules`: the alerts fire with the expected labels after their `for:`, and not on healthy series", () => {
    const r = promtool("test", "rules", UNIT);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain("SUCCESS");
  });

  it("define the alerts Scarlet expects, each with a severity and templated summary and description", () => {
    const text = readFileSync(new URL(`../../${RULES}`, import.meta.url), "utf8");
    const alerts = [...text.matchAll(/^\s+- alert: (\w+)$/gm)].map((m) => m[1]);
    for (const name of [
      "KubePodCrashLooping",
      "KubePodNotReady",
      "KubeDeploymentReplicasMismatch",
      "KubeContainerWaiting",
      "KubeNodeNotReady",
      "KubePersistentVolumeFillingUp",
      "KubeQuotaExceeded",
      "KubeQuotaAlmostFull",
      "CPUThrottlingHigh",
      "HighErrorRate",
      "HighLatencyP99",
    ]) {
      expect(alerts, name).toContain(name);
    }
    // Every alert block has a severity and both annotations.
    const blocks = text.split(/^\s+- alert: /m).slice(1);
    expect(blocks.length).toBe(alerts.length);
    for (const b of blocks) {
      const name = b.split("\n")[0];
      expect(b, name).toMatch(/severity: (warning|critical)\n/);
      expect(b, name).toMatch(/summary: /);
      expect(b, name).toMatch(/description: .*\{\{ \$labels\.\w+ \}\}/);
    }
  });
});
