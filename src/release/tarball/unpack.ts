/**
 * unpack (relx unpack <file>): installs a release tarball built elsewhere as releases/<vsn>,
 * "unpacked". Nothing changes unless every check passes:
 *
 * | step                      | refused with                                  |
 * |---------------------------|-----------------------------------------------|
 * | read the entries          | RELX_BAD_RELEASE (corrupt, truncated, unsafe) |
 * | vsn not present yet       | RELX_RELEASE_EXISTS                           |
 * | extract into staging      | RELX_BAD_RELEASE                              |
 * | verify manifest and files | RELX_WRONG_APP, RELX_CHECKSUM_MISMATCH, RELX_BAD_RELEASE |
 * | rename into releases/     | RELX_RELEASE_EXISTS (another unpack won)      |
 */
import { mkdir, rename, rm, rmdir } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { RelxError } from "../../errors.js";
import { loadConfig } from "../config.js";
import { pathExists } from "../fs-util.js";
import { setReleaseState } from "../store/releases-store.js";
import { makeStaging, removeStaleStaging } from "../store/staging.js";
import { relPosix } from "../build/sources.js";
import { listTarEntries, releaseTop } from "./tar-entries.js";
import { listFiles, verifyRelease } from "../store/verify.js";

export interface UnpackOptions {
  root: string;
  /** The tarball, absolute or relative to the current directory. */
  file: string;
}

export async function unpack(options: UnpackOptions): Promise<{ name: string; vsn: string; dir: string }> {
  const config = await loadConfig(options.root);
  const file = resolve(options.file);
  if (!(await pathExists(file))) {
    throw new RelxError("RELX_BAD_ARGUMENT", `no such file ${file}`, { hint: "pass the path of a release .tar.gz" });
  }
  const vsn = releaseTop(file, await listTarEntries(file));
  const releasesDir = config.releasesDir;
  const dir = join(releasesDir, vsn);
  if (await pathExists(dir)) throw exists(vsn);
  const hadReleasesDir = await pathExists(releasesDir);
  await mkdir(releasesDir, { recursive: true });
  await removeStaleStaging(releasesDir);
  const staging = await makeStaging(releasesDir, "unpack");
  let done = false;
  try {
    const staged = await extract(file, staging, vsn);
    await verifyStaged(staged, config.name, vsn).catch((err) => {
      throw inTarball(err, staged, `${basename(file)}:${vsn}`);
    });
    await rename(staged, dir).catch((err) => {
      throw ["ENOTEMPTY", "EEXIST"].includes(err.code) ? exists(vsn) : err;
    });
    await setReleaseState(releasesDir, vsn, "unpacked");
    done = true;
    return { name: config.name, vsn, dir };
  } finally {
    await rm(staging, { recursive: true, force: true });
    if (!done && !hadReleasesDir) await rmdir(releasesDir).catch(() => {});
  }
}

async function extract(file: string, staging: string, vsn: string): Promise<string> {
  const tar = await import("tar");
  try {
    await tar.extract({ file, cwd: staging, strict: true, preservePaths: false, noChmod: true });
  } catch (err) {
    throw new RelxError("RELX_BAD_RELEASE", `${file} cannot be extracted: ${(err as Error).message}`, { cause: err });
  }
  return join(staging, vsn);
}

async function verifyStaged(staged: string, name: string, vsn: string): Promise<void> {
  const manifest = await verifyRelease(staged, name);
  if (manifest.vsn !== vsn) {
    throw new RelxError("RELX_BAD_RELEASE", `the tarball's directory is ${vsn} but its release.json says ${manifest.vsn}`);
  }
  const extra = (await listFiles(staged))
    .map((f) => relPosix(staged, f))
    .find((f) => f !== "release.json" && !(f in manifest.files));
  if (extra) {
    throw new RelxError("RELX_CHECKSUM_MISMATCH", `release ${vsn}: ${extra} is not listed in release.json`, {
      hint: "the tarball was modified after it was built; build it again with relx build --tar",
    });
  }
}

function exists(vsn: string): RelxError {
  return new RelxError("RELX_RELEASE_EXISTS", `release ${vsn} is already in releases/`, {
    hint: "releases are immutable; run relx releases to see what is installed",
  });
}

/** An error about the staged copy, reworded to name the tarball (the staging dir is removed). */
function inTarball(err: unknown, staged: string, where: string): unknown {
  if (!(err instanceof RelxError)) return err;
  return new RelxError(err.code, err.message.replaceAll(staged, where), { hint: err.hint, cause: err });
}
