/**
 * The daemon's runtime files under <root>/.relx: the log (log/daemon.log, appended) and the pid
 * file (relx.pid, replaced atomically, removed only by the daemon it names). .relx and .relx/log
 * must be private (private-dir.ts), and the log is opened without following a symbolic link.
 */
import { closeSync, constants, fstatSync, openSync, writeSync } from "node:fs";
import { mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { RelxError } from "../errors.js";
import { ensurePrivateDir } from "./private-dir.js";

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

/** Creates .relx (0700) if it is missing. Throws RELX_UNSAFE_PATH unless it is private, RELX_BAD_CONFIG without a root. */
export function ensureRuntimeDir(root: string): void {
  try {
    ensurePrivateDir(runtimeDir(root));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    throw new RelxError("RELX_BAD_CONFIG", `no app at ${root}: the directory does not exist`, {
      cause: err,
      hint: "run relx in the app's root, or pass --root <dir>",
    });
  }
}

/** The log file's descriptor, for appending. Throws RELX_UNSAFE_PATH (a private dir, or a log that is a link). */
export function openLogForAppend(root: string): number {
  ensureRuntimeDir(root);
  ensurePrivateDir(dirname(logFile(root)));
  const file = logFile(root);
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ELOOP") throw err;
    throw new RelxError("RELX_UNSAFE_PATH", `${file} is a symbolic link; relx appends its log only to a file of its own`, {
      hint: `remove the link with \`rm ${file}\`, then run the command again`,
    });
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new RelxError("RELX_UNSAFE_PATH", `${file} is not a regular file; relx appends its log only to a file of its own`, {
      hint: `remove it with \`rm ${file}\`, then run the command again`,
    });
  }
  return fd;
}

/**
 * A log that writes "<ISO time> <message>" lines, synchronously so a crash loses nothing.
 * Throws RELX_UNSAFE_PATH (.relx is checked in the foreground too: it holds the pid file and lock).
 */
export function openDaemonLog(root: string, foreground: boolean): { log: Log; close(): void } {
  if (foreground) {
    ensureRuntimeDir(root);
    return { log: (line) => process.stdout.write(formatLine(line)), close: () => undefined };
  }
  const fd = openLogForAppend(root);
  const log: Log = (line) => {
    try {
      writeSync(fd, formatLine(line));
    } catch {
      // A full disk must not take the daemon down with it.
    }
  };
  return { log, close: () => closeSync(fd) };
}

function formatLine(message: string): string {
  return `${new Date().toISOString()} ${message.replace(/\n/g, "\n    ")}\n`;
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
