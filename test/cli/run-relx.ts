// Runs the real bin/relx (built into dist/ by `npm run build`) as a child process.
import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const RELX = fileURLToPath(new URL("../../bin/relx", import.meta.url));

/** Builds dist/ if it is missing; type errors elsewhere in the tree do not stop tsc from emitting. */
export function ensureBuilt(): void {
  if (existsSync(new URL("../../dist/cli/main.js", import.meta.url))) return;
  spawnSync(process.execPath, [fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url)), "-p", "tsconfig.build.json"], { cwd: REPO });
}

export interface RelxRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Asynchronous on purpose: a stub daemon in this process must keep answering meanwhile. */
export function runRelx(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<RelxRun> {
  const env = { ...process.env, RELX_SOCKET: undefined, ...options.env };
  return new Promise((resolve) => {
    execFile(RELX, args, { cwd: options.cwd, env, maxBuffer: 1024 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}
