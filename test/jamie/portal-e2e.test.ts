import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { eventually } from "@autodevops/shared/testing";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startRig, type ScarletRig } from "../scarlet/scarlet-fixture.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const ARTIFACTS = path.join(REPO, "test", "artifacts");
const PASSWORD = "e2e-demo-password";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

let rig: ScarletRig;
let jamie: ChildProcess | undefined;
let jamieUrl = "";
const jamieOutput: string[] = [];
let browser: Browser;

async function startJamie(): Promise<void> {
  const port = await freePort();
  jamieUrl = `http://127.0.0.1:${port}`;
  jamie = spawn(process.execPath, ["--import", "tsx", "apps/jamie/src/main.ts"], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      DATABASE_URL: rig.db.url,
      SANDBOX_URL: rig.sandbox.controlUrl,
      SCARLET_URL: rig.url,
      JAMIE_PORT: String(port),
      AUTODEVOPS_APPROVER_TOKEN: rig.approverToken,
      JAMIE_DEMO_PASSWORD: PASSWORD,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const keep = (b: Buffer) => jamieOutput.push(...b.toString().split("\n").filter(Boolean).slice(-200));
  jamie.stdout?.on("data", keep);
  jamie.stderr?.on("data", keep);
  // The first start builds the pages (next build): a minute or two on two cores.
  await eventually(async () => (await fetch(`${jamieUrl}/healthz`).catch(() => undefined))?.ok, `Jamie ready at ${jamieUrl}\n${jamieOutput.slice(-30).join("\n")}`, 300_000, 500);
}

async function signIn(page: Page, name: string): Promise<void> {
  await page.goto(`${jamieUrl}/login`);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${jamieUrl}/`);
}

/** axe-core in the page: the serious and critical violations, named. */
async function a11y(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: await readFile(path.join(REPO, "node_modules", "axe-core", "axe.min.js"), "utf8") });
  const result = (await page.evaluate(async () => (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe.run())) as { violations: { id: string; impact: string; nodes: unknown[] }[] };
  return result.violations.filter((v) => v.impact === "critical").map((v) => `${v.id} (${v.nodes.length})`);
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  rig = await startRig();
  await rig.start();
  await startJamie();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}, 400_000);

afterAll(async () => {
  await browser?.close();
  jamie?.kill("SIGTERM");
  await rig?.close();
});

describe("the portal, end to end (sandbox, Scarlet, Jamie, Chromium)", () => {
  it("signs in, answers from live data with sources, shows the incident live, and only an approver's click acts", async () => {
    const since = new Date();
    const viewerPage = await browser.newPage({ viewport: { width: 1366, height: 820 } });
    await viewerPage.goto(`${jamieUrl}/incidents`);
    expect(new URL(viewerPage.url()).pathname).toBe("/login");
    await shot(viewerPage, "01-login");
    expect(await a11y(viewerPage)).toEqual([]);
    await signIn(viewerPage, "viewer");

    // Incidents page open before the fault: the incident must appear without a reload.
    await viewerPage.goto(`${jamieUrl}/incidents`);
    await viewerPage.getByText(/No incidents|catalog/).first().waitFor();
    const faultId = await rig.inject({ kind: "image-pull", target: "catalog" });
    await viewerPage.getByRole("link", { name: /catalog/ }).first().waitFor({ timeout: 60_000 });
    await shot(viewerPage, "02-incidents-live");
    expect(await a11y(viewerPage)).toEqual([]);

    // Chat: a streamed answer naming the faulty workload, with its sources.
    await viewerPage.goto(`${jamieUrl}/`);
    await viewerPage.getByLabel("Your question").fill("what's wrong in shop?");
    await viewerPage.getByRole("button", { name: "Ask" }).click();
    const answer = viewerPage.locator(".msg.assistant").last();
    await expect.poll(async () => answer.innerText(), { timeout: 30_000 }).toMatch(/catalog/);
    await answer.locator(".cites .cite").first().waitFor();
    await viewerPage.getByRole("button", { name: "Helpful", exact: true }).waitFor();
    await shot(viewerPage, "03-chat-answer");
    expect(await a11y(viewerPage)).toEqual([]);

    // The approval: a viewer sees it and cannot decide.
    const incident = await rig.incidentFor("catalog", since, 60_000, (i) => i.status === "awaiting_approval");
    await viewerPage.goto(`${jamieUrl}/approvals`);
    const approve = viewerPage.getByRole("button", { name: "Approve" }).first();
    await approve.waitFor({ timeout: 30_000 });
    expect(await approve.isDisabled()).toBe(true);
    await shot(viewerPage, "04-approvals-viewer");
    expect(await a11y(viewerPage)).toEqual([]);

    // An approver approves; Scarlet acts, the fault is cured and the incident resolves.
    const approverPage = await browser.newPage({ viewport: { width: 1366, height: 820 } });
    await signIn(approverPage, "approver");
    await approverPage.goto(`${jamieUrl}/approvals`);
    await approverPage.getByRole("button", { name: "Approve" }).first().click();
    await approverPage.getByRole("status").filter({ hasText: "Approved" }).waitFor();
    await shot(approverPage, "05-approved");
    await eventually(async () => (await rig.fault(faultId)).cured, "the image-pull fault cured", 90_000, 1000);
    await approverPage.goto(`${jamieUrl}/incidents/${incident.id}`);
    await approverPage.getByText("resolved", { exact: true }).first().waitFor({ timeout: 90_000 });
    await shot(approverPage, "06-incident-resolved");
    expect(await a11y(approverPage)).toEqual([]);
    const mutations = await rig.mutations(since);
    expect(mutations.filter((m) => m.action === "rollback" && m.name === "catalog").map((m) => m.user)).toEqual(["system:serviceaccount:autodevops:scarlet"]);

    // Estate and audit, as a person sees them.
    await approverPage.goto(`${jamieUrl}/estate`);
    await approverPage.getByRole("img", { name: /Service map/ }).waitFor({ timeout: 30_000 });
    await shot(approverPage, "07-estate");
    expect(await a11y(approverPage)).toEqual([]);
    await approverPage.goto(`${jamieUrl}/audit`);
    await approverPage.getByText(/Hash chain verified/).waitFor({ timeout: 30_000 });
    await shot(approverPage, "08-audit");
    expect(await a11y(approverPage)).toEqual([]);
  }, 400_000);

  it("follows a log citation from a chat answer to the Logs page, which shows the panic lines", async () => {
    const panic = "panic: assignment to entry in nil map (e2e)";
    await rig.inject({ kind: "crashloop", target: "cart", params: { message: panic } });
    const prod = rig.sandbox.clusters.find((c) => c.name === "prod");
    const restarted = () => prod?.store.list("pods", { namespace: "shop" }).items.some((p) => p.metadata.name.startsWith("cart-") && ((p as { status?: { containerStatuses?: { restartCount: number }[] } }).status?.containerStatuses?.[0]?.restartCount ?? 0) > 0);
    await eventually(restarted, "a cart pod restarted by the crash loop", 60_000, 500);

    const page = await browser.newPage({ viewport: { width: 1366, height: 820 } });
    await signIn(page, "viewer");
    const answer = page.locator(".msg.assistant").last();
    // Loki ships the panic a moment after the crash: ask until the answer has found it.
    await eventually(async () => {
      await page.goto(`${jamieUrl}/`);
      await page.getByLabel("Your question").fill("recent errors in cart");
      await page.getByRole("button", { name: "Ask" }).click();
      await page.getByRole("button", { name: "Helpful", exact: true }).waitFor({ timeout: 30_000 });
      return /nil map/.test(await answer.innerText());
    }, "an answer quoting the cart's panic from Loki", 90_000, 2000);
    const cite = answer.getByRole("link", { name: /^log: Loki, last 30 minutes, prod/ });
    await cite.click();
    await page.waitForURL(/\/logs\?/);
    const lines = page.getByRole("region", { name: /Log lines/ });
    await expect.poll(async () => lines.innerText(), { timeout: 30_000 }).toMatch(/nil map/);
    await page.getByText("last 30 minutes", { exact: false }).first().waitFor();
    // The list is one keyboard stop: it scrolls with the arrow keys once focused.
    await lines.focus();
    const focused = await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute("aria-label"));
    expect(focused).toMatch(/^Log lines/);
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.getByRole("status").filter({ hasText: /lines?, read at/ }).waitFor();
    await shot(page, "09-logs");
    expect(await a11y(page)).toEqual([]);
  }, 300_000);
});
