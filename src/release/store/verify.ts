/**
 * Reading and verifying a release directory against its release.json. The daemon verifies before
 * every upgrade (checkRelease, on a manifest it may have read ahead); unpack verifies before
 * installing.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { RelxError } from "../../errors.js";
import type { Manifest } from "../manifest.js";
import type { RelxConfig } from "../config.js";
import { sha256File } from "../fs-util.js";
import { relPosix } from "../build/sources.js";
import { checkBuiltBy } from "../relx-version.js";
import { readManifest } from "./read-manifest.js";

export { readManifest };

/** releases/<vsn> of the app, absolute. */
export function releaseDir(config: RelxConfig, vsn: string): string {
  return join(config.releasesDir, vsn);
}

/**
 * The manifest of `dir` once every listed file matches its sha256, no unlisted file is under lib/,
 * (when given) the name is `expectedName`, and a relx of this one's line built it. Throws
 * RELX_BAD_RELEASE, RELX_WRONG_APP, RELX_WRONG_RELX, RELX_CHECKSUM_MISMATCH (naming the file, the
 * expected and the actual sha256).
 */
export async function verifyRelease(dir: string, expectedName?: string): Promise<Manifest> {
  const manifest = await readManifest(dir);
  await checkRelease(dir, manifest, expectedName);
  return manifest;
}

/** What a release's files are checked against: a Manifest, or what a node keeps of one. */
export type CheckedFields = Pick<Manifest, "name" | "vsn" | "relx" | "files">;

/**
 * verifyRelease's checks of `dir` against a manifest already read from it: the app's name, the
 * relx line, every file's sha256, no unlisted file under lib/. Throws as verifyRelease does.
 */
export async function checkRelease(dir: string, manifest: CheckedFields, expectedName?: string): Promise<void> {
  if (expectedName !== undefined && manifest.name !== expectedName) {
    throw new RelxError("RELX_WRONG_APP", `release ${manifest.vsn} in ${dir} belongs to "${manifest.name}", not "${expectedName}"`, {
      hint: "use a release built from this app (relx build)",
    });
  }
  checkBuiltBy({ vsn: manifest.vsn, dir, builtBy: manifest.relx });
  await Promise.all(Object.entries(manifest.files).map(([file, expected]) => checkFile(dir, file, expected)));
  const libFiles = await listFiles(join(dir, "lib")).catch(() => []);
  const extra = libFiles.map((f) => relPosix(dir, f)).find((f) => !Object.hasOwn(manifest.files, f));
  if (extra) {
    throw new RelxError("RELX_CHECKSUM_MISMATCH", `release ${manifest.vsn}: ${extra} is not listed in release.json`, {
      hint: "the release was modified after it was built; rebuild or reinstall it",
    });
  }
}

/** `file` is a safe relative path: readManifest checked every key of `files`. */
async function checkFile(dir: string, file: string, expected: string): Promise<void> {
  const actual = await sha256File(join(dir, file)).catch(() => "missing");
  if (actual === expected) return;
  throw new RelxError("RELX_CHECKSUM_MISMATCH", `${join(dir, file)}: expected sha256 ${expected}, got ${actual}`, {
    hint: "the release was modified after it was built; rebuild or reinstall it",
  });
}

/** Every file below `dir`, absolute. `parentPath ?? path`: Node before 20.12 has only `path`. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => !e.isDirectory()).map((e) => join(e.parentPath ?? e.path, e.name));
}
