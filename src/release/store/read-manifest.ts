/**
 * Reading one release.json, and the part of it a running node keeps. Its own module, apart from
 * verify.ts (checksums), so that the daemon's read-ahead worker loads no more than the read.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { RelxError } from "../../errors.js";
import type { LoadedManifest, Manifest } from "../manifest.js";
import { MISSING, readJson } from "../json-file.js";

/**
 * The release.json of `dir`, its shape and consistency checked in full (manifest-schema.ts).
 * Throws RELX_BAD_RELEASE naming the file and the field when it is missing, unreadable or malformed.
 */
export async function readManifest(dir: string): Promise<Manifest> {
  const file = join(dir, "release.json");
  // Only a regular file is read: a pipe would block the read for good (and a read blocked in the
  // thread pool keeps the process from exiting), which the daemon's read-ahead of every release
  // present, a build reading the older releases and an upgrade would each meet.
  const info = await stat(file).catch(() => null); // missing, unreadable: readJson says which
  if (info !== null && !info.isFile()) {
    const kind = info.isDirectory() ? "a directory" : info.isFIFO() ? "a pipe (FIFO)" : info.isSocket() ? "a socket" : "a device";
    throw new RelxError("RELX_BAD_RELEASE", `${file} is ${kind}, not a file`, {
      hint: "rebuild it with relx build, or reinstall it with relx unpack",
    });
  }
  const value = await readJson(file, "RELX_BAD_RELEASE");
  if (value === MISSING) {
    throw new RelxError("RELX_BAD_RELEASE", `${dir} is not a release: it has no release.json`, {
      hint: "rebuild it with relx build, or reinstall it with relx unpack",
    });
  }
  const { parseManifest } = await import("./manifest-schema.js");
  return parseManifest(value, file, dir);
}

/** What a node keeps of a checked manifest: all but its plans, and of its boot processes their names. */
export function loadedManifest(m: Manifest): LoadedManifest {
  const { plans: _plans, boot, ...rest } = m;
  const processes = boot.processes;
  const names: string[] = new Array(processes.length);
  for (let i = 0; i < processes.length; i++) names[i] = processes[i]!.name;
  return { ...rest, boot: { names } };
}
