// The Report page in headless Chromium over a hand-built audit history: figures shown, the range
// picker and export links working, no critical axe-core violation, and a screenshot to look at.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startSandbox, type RunningSandbox } from "@autodevops/sandbox";
import { createLogger } from "@autodevops/shared";
import { createTestDatabase, eventually, type TestDatabase } from "@autodevops/shared/testing";
import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeReportHistory } from "../../apps/jamie/src/portal/operations-report.fixture.js";
import { startScarletStandIn, type ScarletStandIn } from "../../apps/jamie/src/scarlet/testing/scarlet-stand-in.js";
import { freePort } from "../scarlet/scarlet-fixture.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const SHOT = path.join(REPO, "test", "artifacts", "report.png");
const PASSWORD = "report-e2e-password";
const log = createLogger({ service: "report-e2e", level: "silent" });

let db: TestDatabase;
let sandbox: RunningSandbox;
let scarlet: ScarletStandIn;
let jamie: ChildProcess | undefined;
let jamieUrl = "";
const output: string[] = [];
let browser: Browser;
let viewer: BrowserContext;

beforeAll(async () => {
  await mkdir(path.dirname(SHOT), { recursive: true });
  db = await createTestDatabase("jamie_report_e2e");
  await writeReportHistory(db.url, log);
  sandbox = await startSandbox({ dataDir: await mkdtemp(path.join(tmpdir(), "report-e2e-")), host: "127.0.0.1", controlPort: 0, log });
  scarlet = await startScarletStandIn({ approverToken: "report-e2e-approver-token" });
  jamieUrl = `http://127.0.0.1:${await freePort()}`;
  jamie = spawn(process.execPath, ["--import", "tsx", "apps/jamie/src/main.ts"], {
    cwd: REPO,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "test", LOG_LEVEL: "info", DATABASE_URL: db.url, SANDBOX_URL: sandbox.controlUrl, SCARLET_URL: scarlet.url, JAMIE_PORT: new URL(jamieUrl).port, AUTODEVOPS_APPROVER_TOKEN: scarlet.approverToken, JAMIE_DEMO_PASSWORD: PASSWORD },
    stdio: ["pipe", "pipe", "pipe"],
  });
  for (const s of [jamie.stdout, jamie.stderr]) s?.on("data", (b: Buffer) => output.push(...b.toString().split("\n").filter(Boolean).slice(-50)));
  const exited = new Promise<never>((_, reject) => jamie?.once("exit", (code) => reject(new Error(`Jamie exited (${code}):\n${output.slice(-30).join("\n")}`))));
  exited.catch(() => undefined); // a later exit (afterAll's kill) is no failure
  await Promise.race([eventually(async () => (await fetch(`${jamieUrl}/healthz`).catch(() => undefined))?.ok, `Jamie ready at ${jamieUrl}`, 300_000, 500), exited]).catch((e: unknown) => {
    throw new Error(`${(e as Error).message}\n${output.slice(-30).join("\n")}`);
  });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
  // Signed in through the API; the browser gets the session's cookies.
  const login = await fetch(`${jamieUrl}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "viewer", password: PASSWORD }) });
  expect(login.status).toBe(200);
  viewer = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  await viewer.addCookies(login.headers.getSetCookie().map((c) => {
    const [name = "", value = ""] = (c.split(";")[0] ?? "").split("=");
    return { name, value, url: jamieUrl };
  }));
}, 400_000);

afterAll(async () => {
  await browser?.close();
  jamie?.kill("SIGTERM");
  await scarlet?.close();
  await sandbox?.stop();
  await db?.drop();
});

describe("the Report page", () => {
  it("shows the last seven days' KPIs from the audit log, changes range from the keyboard, links both exports, and passes axe", async () => {
    const page = await viewer.newPage();
    await page.goto(`${jamieUrl}/report`);
    await page.getByRole("link", { name: "Report" }).and(page.locator("[aria-current=page]")).waitFor();
    const kinds = page.getByRole("region", { name: "Incidents by root cause" });
    // The default range holds the whole history: the eight incidents of the test range and the one before and after it.
    await expect.poll(async () => kinds.getByRole("row", { name: /^crashloop/ }).innerText(), { timeout: 30_000 }).toMatch(/crashloop\s+2\s+1\s+0\s+1/);
    const figures = page.getByRole("region", { name: "Key figures" });
    expect(await figures.innerText()).toMatch(/Incidents opened\s+10/);
    expect(await figures.innerText()).toMatch(/Approvals waiting now\s+1/);
    expect(await figures.innerText()).toMatch(/Failed \/ undone actions\s+1 \/ 1/);
    const outcomes = page.getByRole("region", { name: "How incidents ended" });
    expect(await outcomes.getByRole("row", { name: /Escalated to people/ }).innerText()).toMatch(/4/);
    expect(await page.getByRole("region", { name: "Failed and undone actions" }).innerText()).toMatch(/undone[\s\S]*redis-cart[\s\S]*failed[\s\S]*forbidden/);

    // A range with nothing in it, typed and submitted from the keyboard.
    await page.getByLabel("From (UTC day)").fill("2020-01-01");
    await page.getByLabel("To (UTC day, included)").fill("2020-01-07");
    await page.getByLabel("To (UTC day, included)").press("Enter");
    await expect.poll(async () => figures.innerText(), { timeout: 15_000 }).toMatch(/Incidents opened\s+0/);
    await page.getByRole("button", { name: "Last 7 days" }).click();
    await expect.poll(async () => figures.innerText(), { timeout: 15_000 }).toMatch(/Incidents opened\s+10/);

    const csv = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
    const json = await page.getByRole("link", { name: "Export JSON" }).getAttribute("href");
    const got = await page.request.get(`${jamieUrl}${csv}`);
    expect(got.headers()["content-disposition"]).toMatch(/^attachment; filename="operations-report_/);
    expect((await got.text()).split("\r\n")).toContain("incidents,opened,10,incidents");
    expect(((await (await page.request.get(`${jamieUrl}${json}`)).json()) as { incidents: { opened: number } }).incidents.opened).toBe(10);

    await page.addScriptTag({ content: await readFile(path.join(REPO, "node_modules", "axe-core", "axe.min.js"), "utf8") });
    type Violation = { id: string; impact: string; nodes: { target: string[]; failureSummary?: string }[] };
    const { violations } = (await page.evaluate(async () => (globalThis as unknown as { axe: { run(): Promise<{ violations: Violation[] }> } }).axe.run())) as { violations: Violation[] };
    // Serious ones too (contrast among them): the page is new, so it starts clean.
    expect(violations.filter((v) => v.impact === "critical" || v.impact === "serious").map((v) => `${v.id}: ${v.nodes.map((n) => `${n.target.join(" ")} (${n.failureSummary ?? ""})`).join("; ")}`)).toEqual([]);
    await page.screenshot({ path: SHOT, fullPage: true });
  }, 120_000);
});
