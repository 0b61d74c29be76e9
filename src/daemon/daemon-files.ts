/**
 * The daemon's runtime files under <root>/.relx: the log (log/daemon.log, written by
 * log/daemon-log.ts) and the pid file (relx.pid, replaced atomically, removed only by the daemon
 * it names).
 */
import { mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

export type Log = (line: string) => void;

export function runtimeDir(root: string): string {
  return join(root, ".relx");
}

export function logFile(root: string): string {
  return join(runtimeDir(root), "log", "daemon.log");
}

export function pidFile(root: string): string {
  return join(runtimeDir(root), "relx.pid");
}

export async function writePidFile(file: string, pid: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${pid}.tmp`;
  await writeFile(temp, `${pid}\n`, { mode: 0o644 });
  await rename(temp, file);
}

/** Removes the pid file if it still names `pid`: a newer daemon's file is left alone. */
export async function removePidFile(file: string, pid: number): Promise<void> {
  const text = await readFile(file, "utf8").catch(() => null);
  if (text !== null && text.trim() === String(pid)) await unlink(file).catch(() => undefined);
}
