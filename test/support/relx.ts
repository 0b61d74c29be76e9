/**
 * The one CLI runner: the real bin/relx (dist/, built by global-setup.ts) as a child process.
 * Asynchronous on purpose: a stub daemon in the test's own process must keep answering meanwhile.
 */
import { execFile } from "node:child_process";
import { BIN } from "./paths.js";

export interface RunResult {
  /** The exit code; null when the CLI was killed by a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Added to this process's environment (RELX_SOCKET is dropped unless given here). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Runs `relx <args> --root <root>`, or `relx <args>` from `options.cwd` when root is null (to test
 * the CLI's defaults); never rejects.
 */
export function relx(root: string | null, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const argv = root === null ? args : [...args, "--root", root];
  const env = { ...process.env, RELX_SOCKET: undefined, ...options.env };
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...argv], { cwd: options.cwd, env, maxBuffer: 1024 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : null;
      done({ code, stdout, stderr });
    });
  });
}

/** `relx <args> --json`, parsed; fails the test with the output when it is not JSON. */
export async function relxJson<T = any>(root: string | null, args: string[], options?: RunOptions): Promise<{ code: number | null; json: T; stderr: string }> {
  const r = await relx(root, [...args, "--json"], options);
  try {
    return { code: r.code, json: JSON.parse(r.stdout) as T, stderr: r.stderr };
  } catch {
    throw new Error(`relx ${args.join(" ")} --json printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/**
 * The app `write` makes, built and started at 1.0.0 (`whileV1` then runs against it), then
 * rewritten and built at 2.0.0, not yet upgraded to. `write(version, v2)` writes the sources.
 */
export async function startedWithV2Built(root: string, write: (version: string, v2: boolean) => void, whileV1?: () => Promise<unknown>): Promise<void> {
  write("1.0.0", false);
  await mustSucceed(root, ["build"]);
  await mustSucceed(root, ["start"]);
  await whileV1?.();
  write("2.0.0", true);
  await mustSucceed(root, ["build"]);
}

async function mustSucceed(root: string, args: string[]): Promise<void> {
  const r = await relx(root, args);
  if (r.code !== 0) throw new Error(`relx ${args.join(" ")} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
}
