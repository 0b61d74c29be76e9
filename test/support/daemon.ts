/** Facts about a real daemon serving a temp root: its files, its pid, whether it is alive; a SIGKILL. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { relxJson } from "./relx.js";
import { waitFor } from "./wait.js";

export function socketOf(root: string): string {
  return join(root, ".relx", "relx.sock");
}

export function pidFileOf(root: string): string {
  return join(root, ".relx", "relx.pid");
}

/** The running daemon's pid, per `relx status` (and the pid file must agree). */
export async function daemonPid(root: string): Promise<number> {
  const status = await relxJson(root, ["status"]);
  const pid = status.json?.daemon?.pid;
  if (typeof pid !== "number") throw new Error(`relx status gave no daemon pid: ${JSON.stringify(status.json)}`);
  const recorded = Number(readFileSync(pidFileOf(root), "utf8").trim());
  if (recorded !== pid) throw new Error(`the pid file says ${recorded}, relx status says ${pid}`);
  return pid;
}

/** SIGKILL, then wait until the process is gone (a zombie counts as gone: it holds no socket). */
export async function killHard(pid: number): Promise<void> {
  process.kill(pid, "SIGKILL");
  await waitFor(() => !isAlive(pid), `daemon ${pid} to die`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  try {
    // "pid (comm) S …": the state is the first field after the command's closing parenthesis.
    const text = readFileSync(stat, "utf8");
    return text.slice(text.lastIndexOf(")") + 2, text.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Daemon processes (dist/daemon/main.js) serving `root`, found through /proc. */
export function daemonsOf(root: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // exited while we looked
    }
    if (argv.some((a) => a.endsWith(join("daemon", "main.js"))) && argv.includes(root)) pids.push(Number(pid));
  }
  return pids;
}
