/**
 * installRelease: puts a finished release into releases/ and records it in RELEASES as one step,
 * so that build and unpack are all or nothing. Everything happens under RELEASES.lock:
 *
 * | step                                              | on failure                                   |
 * |---------------------------------------------------|----------------------------------------------|
 * | take the lock                                     | RELX_BUSY (after the lock's wait); nothing moved |
 * | read RELEASES, write + fsync the new one aside    | RELX_BAD_RELEASE, RELX_WRITE_FAILED; nothing moved |
 * | rename the directory, then the tarball, into place | RELX_RELEASE_EXISTS, RELX_WRITE_FAILED; moved back |
 * | rename the new RELEASES into place                | both moved back; RELEASES as it was          |
 * | fsync releases/, give the lock back               | (the release is in)                          |
 *
 * A process killed between the renames leaves the release present but unrecorded, which reads as
 * "unpacked": the directories are the truth about which releases exist.
 */
import { rename } from "node:fs/promises";
import { join } from "node:path";
import { RelxError } from "../../errors.js";
import { pathExists, stageFile } from "../fs-util.js";
import { asWriteFailure } from "../write-failure.js";
import { takeFileLock } from "./file-lock.js";
import { readReleases, serialize } from "./releases-store.js";

export interface InstallOptions {
  releasesDir: string;
  vsn: string;
  /** The finished release directory (in a staging dir), renamed to releases/<vsn>. */
  staged: string;
  /** A finished tarball and its place in releases/; a file already there is replaced, or restored on failure. */
  tarball?: { from: string; to: string };
  /** A path in the staging dir where a replaced tarball waits until the install is done. */
  aside: string;
  /** The error for a vsn already present. */
  exists: () => RelxError;
}

type Undo = () => Promise<void>;

/** Installs and records the release; throws RELX_BUSY, RELX_BAD_RELEASE, RELX_RELEASE_EXISTS, RELX_WRITE_FAILED. */
export async function installRelease(options: InstallOptions): Promise<void> {
  try {
    await install(options);
  } catch (err) {
    throw asWriteFailure(err, options.releasesDir, `release ${options.vsn} was not installed`);
  }
}

async function install(options: InstallOptions): Promise<void> {
  const { releasesDir, vsn } = options;
  const file = join(releasesDir, "RELEASES");
  const unlock = await takeFileLock(file);
  try {
    const records = await readReleases(releasesDir);
    if (records.some((r) => r.vsn === vsn)) throw options.exists();
    const staged = await stageFile(file, serialize([...records, { vsn, state: "unpacked" }]));
    const undo: Undo[] = [];
    try {
      await moveDir(options.staged, join(releasesDir, vsn), undo, options.exists);
      if (options.tarball) await moveFile(options.tarball.from, options.tarball.to, options.aside, undo);
      await staged.commit();
    } catch (err) {
      await staged.abort();
      await undoAll(undo, err, releasesDir, vsn);
      throw err;
    }
    await staged.sync();
  } finally {
    await unlock();
  }
}

async function moveDir(from: string, to: string, undo: Undo[], exists: () => RelxError): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw code === "ENOTEMPTY" || code === "EEXIST" ? exists() : err;
  }
  undo.push(() => rename(to, from));
}

async function moveFile(from: string, to: string, aside: string, undo: Undo[]): Promise<void> {
  if (await pathExists(to)) {
    await rename(to, aside);
    undo.push(() => rename(aside, to));
  }
  await rename(from, to);
  undo.push(() => rename(to, from));
}

/** Runs the undo steps, newest first; one that fails leaves a release that must be removed by hand. */
async function undoAll(undo: Undo[], cause: unknown, releasesDir: string, vsn: string): Promise<void> {
  for (const step of undo.reverse()) {
    try {
      await step();
    } catch (err) {
      throw new RelxError("RELX_WRITE_FAILED", `release ${vsn} could not be recorded in RELEASES (${(cause as Error).message}), nor moved out again (${(err as Error).message})`, {
        cause,
        hint: `remove ${join(releasesDir, vsn)} by hand (rm -r), then run the command again`,
      });
    }
  }
}
