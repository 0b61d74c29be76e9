/**
 * The "ledger" fixture app, for killing a daemon mid-upgrade: process `ledger`, server Ledger.
 * Version 1 holds { n } (init n = 1) and answers { v: 1, n }; "inc" counts. Version 2 answers
 * { v: 2, n } and migrates n × 10 up, n / 10 down. Its codeChange takes its cue from `extra`: it
 * first writes `extra.marker` (so a test knows the migration is in progress), then waits
 * `extra.ms` before it returns.
 *
 * Also: the daemon's pid, and a SIGKILL that waits until the daemon is really gone.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { relxJson, waitFor, writeFiles } from "./harness.js";

export interface CodeChangeCue {
  marker?: string;
  ms?: number;
}

export function writeLedger(root: string, version: string, vsn: 1 | 2): void {
  const codeChange = vsn === 1 ? "" : `async codeChange(oldVsn: string | { down: string }, state: any, extra: any) {
    if (extra && extra.marker) writeFileSync(extra.marker, "codeChange " + JSON.stringify(oldVsn));
    if (extra && extra.ms) await new Promise((r) => setTimeout(r, extra.ms));
    return typeof oldVsn === "string" ? { n: state.n * 10 } : { n: state.n / 10 };
  },`;
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "ledger", version, type: "module" }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [{ name: "ledger", server: "Ledger", args: { n: 1 } }] });
`,
    "src/ledger.ts": `import { writeFileSync } from "node:fs";
import { defineServer } from "relx";
export default defineServer({
  name: "Ledger",
  vsn: "${vsn}",
  init: (args: any) => ({ n: args.n }),
  handleCall(msg: unknown, _from, state: any) {
    const n = state.n + (msg === "inc" ? 1 : 0);
    return { reply: { v: ${vsn}, n }, state: { n } };
  },
  ${codeChange}
});
`,
  });
}

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
