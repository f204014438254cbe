import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alertmanagerConfig, COMPRESSED_TIMING } from "./alertmanager-config.js";
import { writeAlertmanagerFiles } from "./config-files.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("alertmanagerConfig", () => {
  it("sends every alert, and its resolution, to the webhook with a bearer token, grouped by alert, cluster and namespace", () => {
    const config = alertmanagerConfig({ webhookUrl: "http://127.0.0.1:7080/alerts", tokenFile: "/d/webhook.token", ...COMPRESSED_TIMING });
    expect(config).toEqual({
      route: { receiver: "scarlet", group_by: ["alertname", "cluster", "namespace"], group_wait: "3s", group_interval: "30s", repeat_interval: "24m" },
      receivers: [
        {
          name: "scarlet",
          webhook_configs: [
            { url: "http://127.0.0.1:7080/alerts", send_resolved: true, http_config: { authorization: { type: "Bearer", credentials_file: "/d/webhook.token" } } },
          ],
        },
      ],
    });
  });

  it("writes an alertmanager.yml that `amtool check-config` accepts", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "am-config-"));
    dirs.push(dir);
    const file = await writeAlertmanagerFiles(dir, { webhookUrl: "http://127.0.0.1:7080/alerts", token: "s3cret-token", ...COMPRESSED_TIMING });
    expect(await readFile(path.join(dir, "webhook.token"), "utf8")).toBe("s3cret-token");
    expect(await readFile(file, "utf8")).not.toContain("s3cret-token");
    const r = spawnSync("amtool", ["check-config", file], { encoding: "utf8", timeout: 60_000 });
    if (r.error) throw new Error(`amtool could not run (\`apt-get install prometheus-alertmanager\` ships it): ${r.error.message}`);
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS/);
    expect(r.stdout).toMatch(/1 receivers/);
  });
});
