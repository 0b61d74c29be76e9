/**
 * The daemon process's entry: node dist/daemon/main.js --root <dir> [--socket <path>] [--foreground] [--dotenv <abs path>]
 *
 * The env file is `--dotenv`, not `--env-file`: Node reads every argument starting with
 * --env-file as its own option, even after the script, and exits when the file is missing.
 *
 * When spawned by `relx start` it has an IPC channel: it sends { type: "ready", pid, name, vsn }
 * or { type: "error", error } once, then disconnects, so `start` returns exactly when the daemon
 * answers, with no polling.
 */
import { parseArgs } from "node:util";
import { toRelxError, type WireError } from "../errors.js";
import { runDaemon } from "./run-daemon.js";

export type DaemonMessage =
  | { type: "ready"; pid: number; name: string; vsn: string | undefined }
  | { type: "error"; error: WireError };

function report(message: DaemonMessage, then: () => void): void {
  if (process.send === undefined) return then();
  try {
    process.send(message, undefined, {}, () => {
      process.disconnect();
      then();
    });
  } catch {
    // `relx start` went away before we were ready: nobody to tell.
    then();
  }
}

async function main(): Promise<void> {
  let values: { root?: string; socket?: string; foreground?: boolean; dotenv?: string };
  try {
    ({ values } = parseArgs({
      options: { root: { type: "string" }, socket: { type: "string" }, foreground: { type: "boolean" }, dotenv: { type: "string" } },
    }));
  } catch (err) {
    process.stderr.write(`relx daemon: ${(err as Error).message}\n`);
    process.exit(2);
  }
  try {
    const ready = await runDaemon({
      root: values.root ?? process.cwd(),
      socket: values.socket ?? process.env.RELX_SOCKET,
      foreground: values.foreground ?? false,
      envFile: values.dotenv,
    });
    report({ type: "ready", pid: ready.pid, name: ready.name, vsn: ready.vsn }, () => undefined);
  } catch (err) {
    const error = toRelxError(err);
    if (process.send === undefined) process.stderr.write(`relx: ${error.message}\n`);
    // User code that failed to boot may have left timers behind; the exit must not wait for them.
    report({ type: "error", error: error.toWire() }, () => process.exit(1));
  }
}

void main();
