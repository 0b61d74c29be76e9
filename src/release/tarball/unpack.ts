/**
 * unpack (relx unpack <file>): installs a release tarball built elsewhere as releases/<vsn>,
 * "unpacked". Nothing changes unless every check passes:
 *
 * | step                      | refused with                                  |
 * |---------------------------|-----------------------------------------------|
 * | the file                  | RELX_BAD_ARGUMENT (missing, not a regular file: a pipe, a directory) |
 * | read the entries          | RELX_BAD_RELEASE (corrupt, truncated, unsafe, not one <vsn>/ directory) |
 * | vsn not present yet       | RELX_RELEASE_EXISTS                           |
 * | extract into staging      | RELX_BAD_RELEASE                              |
 * | seal: owner, modes        | (the tarball's owners and modes are never kept) |
 * | verify manifest and files | RELX_WRONG_APP, RELX_CHECKSUM_MISMATCH, RELX_BAD_RELEASE |
 * | install and record        | RELX_RELEASE_EXISTS, RELX_BUSY, RELX_BAD_RELEASE (RELEASES), RELX_WRITE_FAILED |
 */
import { rm, rmdir, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { RelxError } from "../../errors.js";
import { loadConfig } from "../config.js";
import { pathExists } from "../fs-util.js";
import { installRelease } from "../store/install-release.js";
import { sealRelease } from "../store/seal-release.js";
import { makeStaging, removeStaleStaging } from "../store/staging.js";
import { asWriteFailure } from "../write-failure.js";
import { relPosix } from "../build/sources.js";
import { listTarEntries, releaseTop } from "./tar-entries.js";
import { listFiles, verifyRelease } from "../store/verify.js";

export interface UnpackOptions {
  root: string;
  /** The tarball, absolute or relative to the current directory. */
  file: string;
}

/** Throws what the table above lists; on any failure releases/ is as it was. */
export async function unpack(options: UnpackOptions): Promise<{ name: string; vsn: string; dir: string }> {
  const config = await loadConfig(options.root);
  const file = resolve(options.file);
  await checkIsFile(file);
  const vsn = releaseTop(file, await listTarEntries(file));
  const releasesDir = config.releasesDir;
  const dir = join(releasesDir, vsn);
  if (await pathExists(dir)) throw exists(vsn);
  const hadReleasesDir = await pathExists(releasesDir);
  let staging: string | undefined;
  let done = false;
  try {
    await removeStaleStaging(releasesDir);
    staging = await makeStaging(releasesDir, "unpack");
    const staged = await extract(file, staging, vsn);
    await sealRelease(staged);
    await verifyStaged(staged, config.name, vsn).catch((err) => {
      throw inTarball(err, staged, `${basename(file)}:${vsn}`);
    });
    await installRelease({ releasesDir, vsn, staged, aside: join(staging, "aside"), exists: () => exists(vsn) });
    done = true;
    return { name: config.name, vsn, dir };
  } catch (err) {
    throw asWriteFailure(err, releasesDir, `release ${vsn} was not installed`);
  } finally {
    if (staging !== undefined) await rm(staging, { recursive: true, force: true });
    if (!done && !hadReleasesDir) await rmdir(releasesDir).catch(() => {});
  }
}

/** Only a regular file is read: a pipe would block the read of its entries, a directory is no tarball. */
async function checkIsFile(file: string): Promise<void> {
  const hint = "pass the path of a release .tar.gz file (relx build --tar writes one); save a download or a pipe to a file first";
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    const why = err.code === "ENOENT" ? `no such file ${file}` : `cannot read ${file}: ${err.message}`;
    throw new RelxError("RELX_BAD_ARGUMENT", why, { cause: err, hint });
  });
  if (info.isFile()) return;
  const kind = info.isDirectory() ? "a directory" : info.isFIFO() ? "a pipe (FIFO)" : info.isSocket() ? "a socket" : "a device";
  throw new RelxError("RELX_BAD_ARGUMENT", `${file} is ${kind}, not a release tarball file`, { hint });
}

async function extract(file: string, staging: string, vsn: string): Promise<string> {
  const tar = await import("tar");
  try {
    // preserveOwner: node-tar would chown every file to the tarball's uid/gid when run as root.
    await tar.extract({ file, cwd: staging, strict: true, preservePaths: false, preserveOwner: false, noChmod: true });
  } catch (err) {
    throw new RelxError("RELX_BAD_RELEASE", `${file} cannot be extracted: ${(err as Error).message}`, {
      cause: err,
      hint: "build it again with relx build --tar, and copy it whole",
    });
  }
  return join(staging, vsn);
}

async function verifyStaged(staged: string, name: string, vsn: string): Promise<void> {
  const manifest = await verifyRelease(staged, name); // also: its vsn is the directory's, `vsn`
  const extra = (await listFiles(staged))
    .map((f) => relPosix(staged, f))
    .find((f) => f !== "release.json" && !Object.hasOwn(manifest.files, f));
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
  const hint = err.code === "RELX_BAD_RELEASE" ? "the tarball is not a release this relx can run; build it again with relx build --tar" : err.hint;
  return new RelxError(err.code, err.message.replaceAll(staged, where), { hint, cause: err });
}
