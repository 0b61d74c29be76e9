/**
 * The daemon's runtime files under <root>/.relx: the log (log/daemon.log, written by
 * log/daemon-log.ts) and the pid file (relx.pid, replaced atomically, removed only by the daemon
 * it names). .relx and .relx/log must be private (private-dir.ts), and log files are opened
 * without following a symbolic link.
 */
import { closeSync, constants, fstatSync, openSync } from "node:fs";
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

/** Makes .relx and .relx/log, both private. Throws RELX_UNSAFE_PATH, RELX_BAD_CONFIG without a root. */
export function ensureLogDir(root: string): void {
  ensureRuntimeDir(root);
  ensurePrivateDir(dirname(logFile(root)));
}

/** The daemon log's descriptor, for appending (`relx start` hands it to the daemon as stdout and stderr). Throws RELX_UNSAFE_PATH. */
export function openLogForAppend(root: string): number {
  ensureLogDir(root);
  return openNoFollow(logFile(root));
}

/** A log file's descriptor, for appending (its directory checked already). Throws RELX_UNSAFE_PATH for a link or a non-file. */
export function openNoFollow(file: string): number {
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
