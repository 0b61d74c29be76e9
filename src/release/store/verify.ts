/**
 * Reading and verifying a release directory against its release.json. The daemon verifies before
 * every upgrade; unpack verifies before installing.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { RelxError } from "../../errors.js";
import { MANIFEST_FORMAT, type Manifest } from "../manifest.js";
import type { RelxConfig } from "../config.js";
import { sha256File } from "../fs-util.js";
import { MISSING, isPlainObject, readJson } from "../json-file.js";
import { relPosix } from "../build/sources.js";

/** releases/<vsn> of the app, absolute. */
export function releaseDir(config: RelxConfig, vsn: string): string {
  return join(config.releasesDir, vsn);
}

/** The release.json of `dir`. Throws RELX_BAD_RELEASE when it is missing or malformed. */
export async function readManifest(dir: string): Promise<Manifest> {
  const file = join(dir, "release.json");
  const value = await readJson(file, "RELX_BAD_RELEASE");
  if (value === MISSING) {
    throw new RelxError("RELX_BAD_RELEASE", `${dir} is not a release: it has no release.json`, {
      hint: "rebuild it with relx build, or reinstall it with relx unpack",
    });
  }
  const problem = manifestProblem(value);
  if (problem) throw new RelxError("RELX_BAD_RELEASE", `${file} is malformed: ${problem}`);
  return value as Manifest;
}

/**
 * The manifest of `dir` once every listed file matches its sha256, no unlisted file is under lib/,
 * and (when given) the name is `expectedName`. Throws RELX_BAD_RELEASE, RELX_WRONG_APP,
 * RELX_CHECKSUM_MISMATCH (naming the file, the expected and the actual sha256).
 */
export async function verifyRelease(dir: string, expectedName?: string): Promise<Manifest> {
  const manifest = await readManifest(dir);
  if (expectedName !== undefined && manifest.name !== expectedName) {
    throw new RelxError("RELX_WRONG_APP", `release ${manifest.vsn} in ${dir} belongs to "${manifest.name}", not "${expectedName}"`, {
      hint: "use a release built from this app (relx build)",
    });
  }
  await Promise.all(Object.entries(manifest.files).map(([file, expected]) => checkFile(dir, file, expected)));
  const libFiles = await listFiles(join(dir, "lib")).catch(() => []);
  const extra = libFiles.map((f) => relPosix(dir, f)).find((f) => !(f in manifest.files));
  if (extra) {
    throw new RelxError("RELX_CHECKSUM_MISMATCH", `release ${manifest.vsn}: ${extra} is not listed in release.json`, {
      hint: "the release was modified after it was built; rebuild or reinstall it",
    });
  }
  return manifest;
}

async function checkFile(dir: string, file: string, expected: string): Promise<void> {
  if (file.startsWith("/") || file.split("/").includes("..")) {
    throw new RelxError("RELX_BAD_RELEASE", `release.json in ${dir} lists an unsafe path ${JSON.stringify(file)}`);
  }
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

function manifestProblem(m: unknown): string | null {
  if (!isPlainObject(m)) return "expected an object";
  if (m.format !== MANIFEST_FORMAT) return `format ${String(m.format)} is not ${MANIFEST_FORMAT}`;
  for (const key of ["name", "vsn", "createdAt", "node"]) {
    if (typeof m[key] !== "string") return `"${key}" is not a string`;
  }
  if (!isPlainObject(m.app) || typeof m.app.file !== "string" || typeof m.app.sha256 !== "string") return `"app" is malformed`;
  if (!isPlainObject(m.boot) || !Array.isArray(m.boot.processes)) return `"boot.processes" is not an array`;
  if (!Array.isArray(m.servers) || !m.servers.every(isServerEntry)) return `"servers" is malformed`;
  if (!isPlainObject(m.files) || !Object.values(m.files).every((v) => typeof v === "string")) return `"files" is malformed`;
  if (!isPlainObject(m.plans)) return `"plans" is not an object`;
  const listed = [m.app.file, ...m.servers.map((s) => s.file)].find((f) => !((f as string) in (m.files as object)));
  if (listed !== undefined) return `${String(listed)} is not listed in "files"`;
  return null;
}

function isServerEntry(s: unknown): boolean {
  return isPlainObject(s) && ["name", "vsn", "file", "sha256"].every((key) => typeof s[key] === "string");
}
