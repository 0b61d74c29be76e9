// The dashboard at 100,000 processes: how long the page takes to show its first page and the
// next, how much each live update weighs, and the daemon's CPU while the page is open (idle
// daemon first, for comparison). Headless Chromium from Debian's package, via playwright-core.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { writeCrowd } from "../test/fixtures/crowd.mjs";
import { figure, now } from "./lib.mjs";

const bin = resolve(dirname(fileURLToPath(import.meta.url)), "..", "bin", "relx");
const N = Number(process.env.DASHBOARD_N ?? 100_000);
const WINDOW_MS = Number(process.env.DASHBOARD_WINDOW_MS ?? 10_000);
const root = mkdtempSync(join(tmpdir(), "rx-dash-"));
const relx = (...args) => execFileSync(process.execPath, [bin, ...args, "--root", root], { encoding: "utf8", maxBuffer: 1 << 30 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds (user + system) the process has used, from /proc. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

async function cpuPercent(pid) {
  const c0 = cpuSeconds(pid);
  const t0 = now();
  await sleep(WINDOW_MS);
  return ((cpuSeconds(pid) - c0) / ((now() - t0) / 1000)) * 100;
}

function startDashboard() {
  const child = spawn(process.execPath, [bin, "dashboard", "--root", root], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((done) => {
    let out = "";
    child.stdout.on("data", (c) => {
      out += c;
      const m = /^dashboard: (\S+)\n/.exec(out);
      if (m) done({ child, url: m[1] });
    });
  });
}

/** Bytes and events of the live feed over a few seconds, as a page of 50 would get them. */
async function feedWeight(url) {
  const u = new URL(url);
  const ctrl = new AbortController();
  const res = await fetch(`${u.origin}/api/events?token=${u.searchParams.get("token")}&limit=50`, { signal: ctrl.signal });
  let bytes = 0;
  let events = 0;
  const reader = res.body.getReader();
  const stopAt = now() + 5000;
  while (now() < stopAt) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes += value.length;
    events += (new TextDecoder().decode(value).match(/^event: status$/gm) ?? []).length;
  }
  ctrl.abort();
  return bytes / Math.max(1, events);
}

let dashboard;
let context;
try {
  writeCrowd(root, "1.0.0", N);
  relx("build");
  relx("start");
  const pid = Number(readFileSync(join(root, ".relx", "relx.pid"), "utf8"));
  figure(`dashboard: daemon CPU, idle, ${N.toLocaleString("en")} processes, no page`, await cpuPercent(pid), "% of a core", "printed");

  dashboard = await startDashboard();
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "rx-chromium-")), {
    executablePath: process.env.RELX_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
  const page = await context.newPage();
  const pages = Math.ceil(N / 50).toLocaleString("en-US");
  let t = now();
  await page.goto(dashboard.url);
  await page.locator("#page-info", { hasText: `page 1 of ${pages}` }).waitFor({ timeout: 120_000 });
  figure(`dashboard: page shows its first page of ${N.toLocaleString("en")} processes`, now() - t, "ms", "printed");
  t = now();
  await page.locator("#next").click();
  await page.locator("#page-info", { hasText: `page 2 of ${pages}` }).waitFor({ timeout: 120_000 });
  figure("dashboard: next page shown", now() - t, "ms", "printed");
  figure(`dashboard: daemon CPU with the page open, ${N.toLocaleString("en")} processes`, await cpuPercent(pid), "% of a core", "low (printed)");
  figure("dashboard: bytes per live update (a page of 50)", await feedWeight(dashboard.url), "bytes", "≪ 10 MB");

  t = now();
  await page.locator("th[data-sort=handled]").click();
  await page.locator("th.sorted", { hasText: "handled" }).waitFor();
  await page.locator("#page-info", { hasText: "page 1 of" }).waitFor();
  figure(`dashboard: daemon CPU with the page open and sorted, ${N.toLocaleString("en")} processes`, await cpuPercent(pid), "% of a core", "printed");
  await page.locator("#filter").fill("w9999");
  await page.locator("#process-count", { hasText: /^11 ·/ }).waitFor({ timeout: 120_000 });
  figure("dashboard: filter to 11 of the processes shown", now() - t - WINDOW_MS, "ms", "printed");
} finally {
  await context?.close();
  dashboard?.child.kill("SIGINT");
  try {
    relx("stop");
  } catch {}
  rmSync(root, { recursive: true, force: true });
}
