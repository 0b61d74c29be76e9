/**
 * Integration harness: real apps in short temp roots, the real bin/relx, the real daemon on a
 * real Unix socket. Every daemon started is stopped in cleanup, and its log is printed when a
 * test fails.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = join(REPO, "bin", "relx");
export const EXAMPLE = join(REPO, "examples", "bank");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `relx <args>` in `root`; never rejects. */
export function relx(root: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args, "--root", root], { env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** `relx <args> --json`, parsed; fails the test with the output when it is not JSON. */
export async function relxJson<T = any>(root: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; json: T; stderr: string }> {
  const r = await relx(root, [...args, "--json"], env);
  try {
    return { code: r.code, json: JSON.parse(r.stdout) as T, stderr: r.stderr };
  } catch {
    throw new Error(`relx ${args.join(" ")} --json printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

const roots: string[] = [];

/** A fresh short temp root; stopped and removed by cleanupRoots, its log printed if the test failed. */
export function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "rx-"));
  roots.push(root);
  return root;
}

/** What vitest hands afterEach (a test context) or afterAll (a suite): enough to see a failure. */
type Finished = { task?: { result?: { state?: string } }; result?: { state?: string }; tasks?: { result?: { state?: string } }[] };

function failed(done: Finished | undefined): boolean {
  if (done === undefined) return false;
  const states = [done.task?.result?.state, done.result?.state, ...(done.tasks ?? []).map((t) => t.result?.state)];
  return states.includes("fail");
}

/**
 * For afterEach / afterAll: prints the daemon logs if the test failed (vitest runs onTestFailed
 * after the hooks, when the roots would be gone), then stops every daemon and removes the roots.
 */
export async function cleanupRoots(done?: Finished): Promise<void> {
  const mine = roots.splice(0);
  if (failed(done)) mine.forEach(printLog);
  for (const root of mine) {
    if (existsSync(join(root, ".relx", "relx.sock"))) await relx(root, ["stop"]);
    rmSync(root, { recursive: true, force: true });
  }
}

export function printLog(root: string): void {
  const log = join(root, ".relx", "log", "daemon.log");
  if (existsSync(log)) console.error(`--- daemon log of ${root} ---\n${readFileSync(log, "utf8")}`);
}

/** Copies the bank example (v1) into `root`. */
export function copyExample(root: string): void {
  cpSync(EXAMPLE, root, { recursive: true, filter: (src) => !src.includes(`${join(EXAMPLE, "v2")}`) });
}

/** Puts the bank example's v2 sources in place. */
export function applyV2(root: string): void {
  cpSync(join(EXAMPLE, "v2", "src"), join(root, "src"), { recursive: true });
}

/** Writes files (path relative to root → content), creating folders. */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = join(root, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

/** Polls `check` until it returns a truthy value (no timing assertion: it just waits). */
export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, tries = 400): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}
