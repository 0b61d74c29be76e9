/**
 * `relx start`'s child: a detached daemon whose stdout and stderr go to the daemon log, with an
 * IPC channel on which it says "ready" or sends its boot error, exactly once.
 *
 *   spawned → "ready" message           → disconnect, unref: the daemon lives on, start returns
 *   spawned → "error" message           → it exits; RelxError with the log's tail
 *   spawned → exits (or fails to spawn) → RelxError with the log's tail
 */
import { spawn } from "node:child_process";
import { closeSync, fstatSync } from "node:fs";
import { open } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { RelxError, type WireError } from "../errors.js";
import { logFile, openLogForAppend } from "../daemon/daemon-files.js";
import type { DaemonMessage } from "../daemon/main.js";

const DAEMON_MAIN = fileURLToPath(new URL("../daemon/main.js", import.meta.url));
const TAIL_LINES = 20;
/** How long `relx start` waits for a daemon that failed to boot to exit. */
const EXIT_WAIT_MS = 10_000;

export interface SpawnedDaemon {
  pid: number;
  name: string;
  vsn: string | undefined;
}

/** Resolves once the daemon answers on `socket`. Throws its boot error (with `details.log`). */
export interface SpawnOptions {
  root: string;
  socket: string;
  /** Absolute path of the env file, when `--env-file` was given. */
  envFile?: string;
}

export async function spawnDaemon(options: SpawnOptions): Promise<SpawnedDaemon> {
  const { root, socket, envFile } = options;
  const log = logFile(root);
  const fd = openLogForAppend(root);
  const logStart = fstatSync(fd).size;
  let child;
  try {
    const args = [DAEMON_MAIN, "--root", root, "--socket", socket, ...(envFile === undefined ? [] : ["--dotenv", envFile])];
    child = spawn(process.execPath, [...process.execArgv, ...args], {
      cwd: root,
      detached: true,
      stdio: ["ignore", fd, fd, "ipc"],
      env: process.env,
    });
  } finally {
    closeSync(fd);
  }
  const outcome = await new Promise<DaemonMessage | { type: "exit"; why: string }>((resolve) => {
    child.once("message", (message) => resolve(message as DaemonMessage));
    child.once("error", (err) => resolve({ type: "exit", why: `could not run the daemon: ${err.message}` }));
    child.once("exit", (code, signal) => resolve({ type: "exit", why: `the daemon exited (${signal ?? `code ${code}`}) before it was ready` }));
  });
  // A daemon that failed to boot exits right after it says so: wait for that, so that when `relx
  // start` reports the failure no daemon of it is left (its root lock given back), not even for
  // the moment its exit takes. Bounded: a daemon that does not exit is left to the log.
  if (outcome.type === "error" && child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, EXIT_WAIT_MS);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  child.removeAllListeners();
  if (child.connected) child.disconnect();
  child.unref();
  if (outcome.type === "ready") return { pid: outcome.pid, name: outcome.name, vsn: outcome.vsn };
  const wire: WireError = outcome.type === "error"
    ? outcome.error
    : { code: "RELX_BUG", message: outcome.why, hint: "see the daemon log below; if it is not your app's fault, please report it" };
  throw RelxError.fromWire(wire, { logFile: log, log: await tail(log, logStart, TAIL_LINES) });
}

/** The last `count` lines this daemon wrote to `file`, from offset `from` (at most 64 KiB). */
async function tail(file: string, from: number, count: number): Promise<string[]> {
  const handle = await open(file, "r").catch(() => null);
  if (handle === null) return [];
  try {
    const { size } = await handle.stat();
    const start = Math.max(from, size - 64 * 1024);
    const buffer = Buffer.alloc(Math.max(0, size - start));
    await handle.read(buffer, 0, buffer.length, start);
    return buffer.toString("utf8").split("\n").filter((line) => line !== "").slice(-count);
  } finally {
    await handle.close();
  }
}
