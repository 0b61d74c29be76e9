/**
 * What a build leaves for the daemon beside the release it wrote: the part of its manifest a node
 * keeps (LoadedManifest: no plans, and of the boot processes only their names), with the identity
 * of the release.json it came from, in `.relx/manifests/`. A daemon's read of that release.json
 * (its read-ahead, an upgrade's preflight, its boot) takes it instead of parsing the file while the
 * file is still that very one (file-identity.ts: a write, a rebuild or an unpack changes it), so an
 * upgrade run the moment a build returns does not wait for the parse of megabytes. Anything else
 * (no entry, another file, an entry that cannot be read) and the file is read as ever.
 *
 * `.relx` is the daemon's private directory (private-dir.ts): a build writes there only when it
 * exists (a daemon has run in this root) and is private, and makes no `.relx` of its own. Best
 * effort on both sides: an entry never fails a build, and one that is not right is not used.
 */
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { open, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { checkPrivateDir, ensurePrivateDir } from "../../daemon/private-dir.js";
import type { LoadedManifest, Manifest } from "../manifest.js";
import { fileIdentity, type FileIdentity } from "./file-identity.js";
import { loadedManifest, readManifest } from "./read-manifest.js";

const FORMAT = 1;

/** Where the entries of the node at `root` are. */
export function builtManifestsDir(root: string): string {
  return join(root, ".relx", "manifests");
}

/** One entry per release directory, named by a hash of its absolute path (releasesDir may be anywhere). */
function entryFile(manifestsDir: string, dir: string): string {
  return join(manifestsDir, `${createHash("sha256").update(resolve(dir)).digest("hex").slice(0, 32)}.json`);
}

interface Entry {
  format: number;
  dir: string;
  identity: Record<keyof FileIdentity, string>;
  manifest: LoadedManifest;
}

/**
 * Writes the entry for the release `manifest` was written to, `dir` (its release.json in place).
 * `manifest` is as parseManifest returned it (the build checks it so before installing): the entry
 * is never more lenient than a fresh read of the file. Never throws.
 */
export async function writeBuiltManifest(root: string, dir: string, manifest: Manifest): Promise<void> {
  try {
    // Only where a daemon has run (it made .relx): a build makes no .relx of its own.
    const relx = join(root, ".relx");
    if (!(await stat(relx).then((s) => s.isDirectory(), () => false))) return;
    checkPrivateDir(relx);
    const file = join(dir, "release.json");
    const identity = await fileIdentity(file);
    if (identity === null) return;
    const manifestsDir = builtManifestsDir(root);
    ensurePrivateDir(manifestsDir); // made 0700 if missing: its parent .relx is there
    const entry: Entry = { format: FORMAT, dir: resolve(dir), identity: identityText(identity), manifest: loadedManifest(manifest) };
    const to = entryFile(manifestsDir, dir);
    const tmp = `${to}.${process.pid}.tmp`;
    // A new file (O_EXCL): whatever was left at that name, a link too, is removed, never written through.
    await rm(tmp, { force: true });
    await writeFile(tmp, JSON.stringify(entry), { mode: 0o600, flag: "wx" });
    await rename(tmp, to).catch(async (err) => {
      await rm(tmp, { force: true });
      throw err;
    });
  } catch {
    // The daemon reads release.json itself, as it does for a release it did not see built.
  }
}

/** Removes the entry of `dir` (relx remove: its release is gone). Never throws. */
export async function removeBuiltManifest(root: string, dir: string): Promise<void> {
  await rm(entryFile(builtManifestsDir(root), dir), { force: true }).catch(() => undefined);
}

/** The entry for `dir` when it describes the release.json of `identity` (the file as it is now), else null. Never throws. */
export async function readBuiltManifest(manifestsDir: string, dir: string, identity: FileIdentity | null): Promise<LoadedManifest | null> {
  if (identity === null) return null;
  try {
    const text = await readEntry(entryFile(manifestsDir, dir));
    if (text === null) return null;
    const entry = JSON.parse(text) as Partial<Entry>;
    if (entry.format !== FORMAT || entry.dir !== resolve(dir) || !sameText(entry.identity, identityText(identity))) return null;
    const m = entry.manifest;
    // What the daemon reads of it, as the build wrote it: a hand-edited entry is not used.
    if (typeof m !== "object" || m === null || m.vsn !== basename(dir) || typeof m.name !== "string" || !Array.isArray(m.boot?.names) || typeof m.files !== "object" || !Array.isArray(m.servers)) return null;
    return m;
  } catch {
    return null;
  }
}

/**
 * What a node keeps of `dir`'s release.json, as every daemon read takes it (the read-ahead
 * worker's and the daemon's own): what its build left while the file is that one (`identity`,
 * taken before the read), else the file read and checked (`built` false). Throws what
 * readManifest throws.
 */
export async function readLoadedManifest(dir: string, identity: FileIdentity | null, manifestsDir: string | undefined): Promise<{ manifest: LoadedManifest; built: boolean }> {
  const left = manifestsDir === undefined ? null : await readBuiltManifest(manifestsDir, dir, identity);
  if (left !== null) return { manifest: left, built: true };
  return { manifest: loadedManifest(await readManifest(dir)), built: false };
}

/**
 * The entry's text when it is a regular file, else null. Opened without following a link and
 * without blocking: a pipe there would block the read for good, and with it the daemon's upgrade
 * and its exit (readManifest refuses a release.json that is one for the same reason).
 */
async function readEntry(file: string): Promise<string | null> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    return (await handle.stat()).isFile() ? await handle.readFile("utf8") : null;
  } finally {
    await handle.close();
  }
}

function identityText(identity: FileIdentity): Record<keyof FileIdentity, string> {
  return { dev: String(identity.dev), ino: String(identity.ino), size: String(identity.size), mtimeNs: String(identity.mtimeNs), ctimeNs: String(identity.ctimeNs) };
}

function sameText(a: Partial<Record<keyof FileIdentity, string>> | undefined, b: Record<keyof FileIdentity, string>): boolean {
  return a !== undefined && a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}
