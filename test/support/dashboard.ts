/**
 * The dashboard under test: the real `relx dashboard` as a child process, and a headless
 * Chromium (Debian's, driven by playwright-core; nothing is downloaded) with a fresh profile.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { BIN, REPO } from "./paths.js";

export const CHROMIUM = process.env.RELX_CHROMIUM ?? "/usr/bin/chromium";
/** Screenshots a person can look at after the run (gitignored). */
export const SHOTS = join(REPO, "test-output");

export interface RunningDashboard {
  url: string;
  base: string;
  token: string;
  child: ChildProcess;
  stop(): Promise<number | null>;
}

/** Starts `relx dashboard` on `root`; resolves with the address it printed first. */
export function startDashboard(root: string, args: string[] = []): Promise<RunningDashboard> {
  const child = spawn(process.execPath, [BIN, "dashboard", "--root", root, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr!.on("data", (chunk) => (err += String(chunk)));
    child.stdout!.on("data", (chunk) => {
      out += String(chunk);
      const line = /^dashboard: (http:\/\/127\.0\.0\.1:\d+\/\?token=(\S+))\n/.exec(out);
      if (line === null) return;
      const url = line[1]!;
      resolve({ url, base: url.slice(0, url.indexOf("/?")), token: line[2]!, child, stop: () => (child.kill("SIGINT"), exited) });
    });
    void exited.then((code) => reject(new Error(`relx dashboard exited ${code} before printing its address:\n${out}\n${err}`)));
  });
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "rx-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function screenshotPath(name: string): string {
  mkdirSync(SHOTS, { recursive: true });
  return join(SHOTS, name);
}
