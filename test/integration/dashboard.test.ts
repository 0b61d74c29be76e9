// `relx dashboard` in a real headless Chromium against a real daemon: the page shows the node,
// follows an upgrade made elsewhere with no reload, says when the daemon is gone and recovers,
// refuses requests without the token, pages and filters many processes, and runs a dry run.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { writeCrowd } from "../fixtures/crowd.mjs";
import { applyV2, builtExample, copyExample } from "../fixtures/bank.js";
import { launchBrowser, screenshotPath, startDashboard, type Browser, type RunningDashboard } from "../support/dashboard.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";

let browser: Browser;
const dashboards: RunningDashboard[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});
afterEach(async (context) => {
  await Promise.all(dashboards.splice(0).map((d) => d.stop()));
  await cleanupRoots(context);
});

async function dashboardOn(root: string, args: string[] = []): Promise<RunningDashboard> {
  const d = await startDashboard(root, args);
  dashboards.push(d);
  return d;
}

async function bankV1(): Promise<string> {
  const root = tempRoot();
  await builtExample(root);
  const started = await relx(root, ["start"]);
  expect(started.code, started.stderr).toBe(0);
  return root;
}

const text = async (page: import("playwright-core").Page, selector: string, value: string): Promise<void> => {
  await page.locator(selector, { hasText: value }).first().waitFor();
};

describe("relx dashboard", () => {
  it("exits 3 when no daemon answers", async () => {
    const root = tempRoot();
    copyExample(root);
    const r = await relx(root, ["dashboard"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("no daemon answers");
  });

  it("needs the token for every request, the page's own included, and gives the status JSON", async () => {
    const root = await bankV1();
    const d = await dashboardOn(root);
    for (const path of ["/", "/app.js", "/style.css", "/api/status", "/api/events", "/api/log"]) {
      expect((await fetch(d.base + path)).status, path).toBe(403);
      expect((await fetch(`${d.base}${path}?token=wrong`)).status, path).toBe(403);
    }
    const status = (await (await fetch(`${d.base}/api/status?token=${d.token}`)).json()) as Record<string, unknown>;
    const cli = (await relxJson(root, ["status"])).json;
    expect(status).toMatchObject({ name: "bank", vsn: "1.0.0", processes: [{ name: "blackode", server: "DemoServer" }], count: 1 });
    expect(Object.keys(status)).toEqual(Object.keys(cli));
    expect((await fetch(`${d.base}/api/status`, { headers: { "x-relx-token": d.token } })).status).toBe(200);
    // Without --allow-actions there are no actions, even with the token.
    const post = await fetch(`${d.base}/api/upgrade`, { method: "POST", headers: { "x-relx-token": d.token }, body: JSON.stringify({ vsn: "2.0.0", dryRun: true }) });
    expect(post.status).toBe(403);
  });

  it("shows the release and processes, follows an upgrade from another process with no reload, and survives the daemon going away", async () => {
    const root = await bankV1();
    const d = await dashboardOn(root);
    const page = await browser.context.newPage();
    await page.goto(d.url);
    await text(page, "#release", "bank");
    await text(page, "#vsn", "1.0.0");
    await text(page, "#processes td.name", "blackode");
    await text(page, "#releases td", "permanent");
    expect(await page.locator("#releases button").count()).toBe(0);
    await page.evaluate(() => ((globalThis as any).notReloaded = true));

    applyV2(root);
    expect((await relx(root, ["build", "--vsn", "2.0.0"])).code).toBe(0);
    expect((await relx(root, ["call", "blackode", '{"add":5}'])).code).toBe(0);
    const up = await relx(root, ["upgrade", "2.0.0"]);
    expect(up.code, up.stderr).toBe(0);
    await text(page, "#vsn", "2.0.0");
    await text(page, "#upgrades td", "1.0.0 → 2.0.0");
    await text(page, "#log", "2.0.0");
    expect(await page.locator("#pause-chart rect.ok").count()).toBe(1);
    expect(await page.locator("#processes tbody tr").first().locator("td").nth(2).textContent()).toBe("2");
    expect(await page.evaluate(() => (globalThis as any).notReloaded)).toBe(true);
    await page.screenshot({ path: screenshotPath("dashboard.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: screenshotPath("dashboard-dark.png"), fullPage: true });

    expect((await relx(root, ["stop"])).code).toBe(0);
    await text(page, "#banner", "not answering");
    await text(page, "#connection", "daemon down");
    expect((await relx(root, ["start"])).code).toBe(0);
    await text(page, "#connection", "live");
    expect(await page.locator("#banner").isHidden()).toBe(true);
    expect(await page.evaluate(() => (globalThis as any).notReloaded)).toBe(true);
    await page.close();
  });

  it("with --allow-actions runs a dry run from the page, after a confirmation, and shows its result", async () => {
    const root = await bankV1();
    applyV2(root);
    expect((await relx(root, ["build", "--vsn", "2.0.0"])).code).toBe(0);
    const d = await dashboardOn(root, ["--allow-actions"]);
    const page = await browser.context.newPage();
    await page.goto(d.url);
    const row = page.locator("#releases tr", { hasText: "2.0.0" });
    await row.locator("button", { hasText: "dry run" }).click();
    await text(page, "#confirm-text", "Dry run of upgrade 1.0.0 → 2.0.0");
    await page.locator("#confirm-ok").click();
    await text(page, "#action-result h3", "every codeChange succeeds");
    const shown = JSON.parse((await page.locator("#action-result pre").textContent())!);
    expect(shown).toMatchObject({ ok: true, dryRun: true, from: "1.0.0", to: "2.0.0", changed: [{ name: "blackode", fromVsn: "1", toVsn: "2" }] });
    expect(shown.results).toEqual([{ name: "blackode", server: "DemoServer", ok: true, state: { name: "blackode", salary: 30000 } }]);
    await page.screenshot({ path: screenshotPath("dashboard-actions.png"), fullPage: true });
    expect((await relxJson(root, ["status"])).json.vsn).toBe("1.0.0");
    await page.close();
  });

  it("pages, sorts and filters 1,500 processes, and relx status summarizes them", async () => {
    const root = tempRoot();
    writeCrowd(root, "1.0.0", 1500);
    expect((await relx(root, ["build"])).code).toBe(0);
    expect((await relx(root, ["start"])).code).toBe(0);
    const human = await relx(root, ["status"]);
    expect(human.stdout).toContain("processes     1,500 (1,500 running, 0 suspended, 0 down)");
    expect(human.stdout.split("\n").filter((l) => /^w\d+ /.test(l))).toHaveLength(100);
    expect(human.stdout).toContain("… and 1,400 more");
    const all = await relxJson(root, ["status"]);
    expect(all.json.processes).toHaveLength(1500);
    const paged = await relxJson(root, ["status", "--offset", "1490", "--limit", "50"]);
    expect(paged.json.count).toBe(1500);
    expect(paged.json.processes.map((p: { name: string }) => p.name)).toEqual(Array.from({ length: 10 }, (_, i) => `w${1490 + i}`));

    const d = await dashboardOn(root);
    const page = await browser.context.newPage();
    await page.goto(d.url);
    await text(page, "#page-info", "page 1 of 30");
    expect(await page.locator("#processes tbody tr").count()).toBe(50);
    await page.locator("#next").click();
    await text(page, "#page-info", "page 2 of 30");
    await text(page, "#processes tbody tr:first-child td.name", "w50");
    await page.locator("th[data-sort=name]").click();
    await text(page, "#page-info", "page 1 of 30");
    await text(page, "#processes tbody tr:first-child td.name", "w0");
    await text(page, "#processes tbody tr:nth-child(2) td.name", "w1");
    await text(page, "#processes tbody tr:nth-child(3) td.name", "w10");
    await page.locator("#filter").fill("w149");
    await text(page, "#process-count", "11 ·");
    expect(await page.locator("#processes tbody tr").count()).toBe(11);
    await page.screenshot({ path: screenshotPath("dashboard-paged.png"), fullPage: true });
    await page.close();
  });
});
