/**
 * The daemon's directories (.relx, .relx/log, the socket's directory) must be its own. Another
 * user who can write one can plant a symbolic link (relx would append its log to the target) or
 * swap the socket (and read every call). A directory is private when it is a real directory, not
 * a symbolic link, owned by the user the daemon runs as, and not writable by group or others.
 */
import { lstatSync, mkdirSync, readlinkSync, type Stats } from "node:fs";
import { RelxError } from "../errors.js";
import { privateSocketSuggestion } from "../protocol/socket-path.js";

export interface PrivateDirOptions {
  /** Create missing parents too (the socket's directory may be anywhere). */
  recursive?: boolean;
  /** The directory holds the socket: the fix is another directory, not chmod of a shared one. */
  forSocket?: boolean;
}

/** Creates `dir` (mode 0700) if it is missing, then checks it is private. Throws RELX_UNSAFE_PATH. */
export function ensurePrivateDir(dir: string, options: PrivateDirOptions = {}): void {
  try {
    mkdirSync(dir, { mode: 0o700, recursive: options.recursive === true });
  } catch (err) {
    // Something is there already (a directory, a file, a dangling link): checked below.
    if (lstatSync(dir, { throwIfNoEntry: false }) === undefined) throw err;
  }
  checkPrivateDir(dir, options);
}

/** Throws RELX_UNSAFE_PATH unless `dir` is a directory of the daemon's user that only it can write. */
export function checkPrivateDir(dir: string, options: PrivateDirOptions = {}): void {
  const stat = lstatSync(dir);
  if (stat.isSymbolicLink()) {
    throw unsafe(`${dir} is a symbolic link (to ${readlinkSync(dir)})`, `remove the link with \`rm ${dir}\`, then run the command again`);
  }
  if (!stat.isDirectory()) {
    throw unsafe(`${dir} is not a directory`, `remove it with \`rm ${dir}\`, then run the command again`);
  }
  const uid = process.geteuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    const fix = options.forSocket ? socketElsewhere() : `remove it with \`rm -rf ${dir}\` (relx makes a new one)`;
    throw unsafe(`${dir} belongs to uid ${stat.uid}, not to uid ${uid} that runs the daemon`, `${fix}, then run the command again`);
  }
  if ((stat.mode & 0o022) !== 0) {
    throw unsafe(`${dir} is writable by ${writers(stat)} (mode ${(stat.mode & 0o7777).toString(8).padStart(4, "0")})`, `${chmodOrMove(dir, stat, options)}, then run the command again`);
  }
}

function unsafe(what: string, hint: string): RelxError {
  return new RelxError("RELX_UNSAFE_PATH", `${what}; relx keeps its socket, pid file and log only where no other user can reach them`, { hint });
}

function writers(stat: Stats): string {
  if ((stat.mode & 0o022) === 0o022) return "group and others";
  return (stat.mode & 0o020) !== 0 ? "its group" : "others";
}

/** A shared directory (sticky, such as /tmp) is not to be chmod-ed: the socket goes elsewhere. */
function chmodOrMove(dir: string, stat: Stats, options: PrivateDirOptions): string {
  if ((stat.mode & 0o1000) !== 0) return socketElsewhere();
  // relx's own directories are 0700; of another directory only the write bits need to go.
  if (!options.forSocket) return `make it private with \`chmod 700 ${dir}\``;
  return `make it yours alone with \`chmod go-w ${dir}\`, or ${socketElsewhere()}`;
}

function socketElsewhere(): string {
  return `put the socket in a private directory: pass --socket (or set "socket" in relx.config.json) to ${privateSocketSuggestion()}`;
}
