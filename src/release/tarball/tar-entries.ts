/** Checking a release tarball's entries before anything is extracted from it. */
import { RelxError } from "../../errors.js";
import semver from "semver";

export interface TarEntryInfo {
  path: string;
  type: string;
}

/** Lists the entries of the gzipped tarball `file`. Throws RELX_BAD_RELEASE when it is corrupt or truncated. */
export async function listTarEntries(file: string): Promise<TarEntryInfo[]> {
  const tar = await import("tar");
  const entries: TarEntryInfo[] = [];
  try {
    await tar.list({ file, strict: true, onReadEntry: (e) => void entries.push({ path: e.path, type: e.type }) });
  } catch (err) {
    throw notARelease(file, (err as Error).message, err);
  }
  if (entries.length === 0) throw notARelease(file, "it holds no files");
  return entries;
}

/**
 * The release vsn the entries hold: all of them under one top-level directory "<vsn>/" holding a
 * release.json, only plain files and directories, no absolute path and no "..". Throws
 * RELX_BAD_RELEASE naming the offending entry.
 */
export function releaseTop(file: string, entries: TarEntryInfo[]): string {
  let top: string | undefined;
  for (const { path, type } of entries) {
    const parts = path.replace(/\/$/, "").split("/");
    if (path.startsWith("/") || parts.some((p) => p === "" || p === "." || p === "..")) {
      throw notARelease(file, `unsafe path ${JSON.stringify(path)}`);
    }
    if (type !== "File" && type !== "Directory") {
      throw notARelease(file, `${path} is a ${type}; a release holds only files and directories`);
    }
    top ??= parts[0];
    if (parts[0] !== top) throw notARelease(file, `${path} is outside the release directory ${top}/`);
    if (parts.length === 1 && type !== "Directory") {
      throw notARelease(file, `${path} is a file at the top level; a release tarball holds one directory, <vsn>/`);
    }
  }
  if (!top || semver.valid(top) !== top) throw notARelease(file, `its top directory "${top}" is not a semver vsn`);
  if (!entries.some((e) => e.path === `${top}/release.json` && e.type === "File")) {
    throw notARelease(file, `it has no ${top}/release.json`);
  }
  return top;
}

function notARelease(file: string, why: string, cause?: unknown): RelxError {
  return new RelxError("RELX_BAD_RELEASE", `${file} is not a valid release tarball: ${why}`, {
    cause,
    hint: "build it again with relx build --tar, and copy it whole",
  });
}
