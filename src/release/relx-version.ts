/**
 * Which relx this is, and which releases it can run. `relx build` records its version in
 * release.json (`relx`); the daemon runs a release's code against its own runtime, which is never
 * hot-swapped, so it refuses a release from a relx of another compatibility line (caret
 * semantics: the major from 1.0.0 on, the minor in 0.x, the patch in 0.0.x).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import semver from "semver";
import { RelxError } from "../errors.js";

let own: string | undefined;

/**
 * The version in relx's own package.json, found by walking up from this module's file, so it
 * holds however dist/ is laid out or bundled. "0.0.0-unknown" if no package.json names relx.
 */
export function relxVersion(): string {
  if (own !== undefined) return own;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = readPackage(join(dir, "package.json"));
    if (pkg?.name === "relx" && typeof pkg.version === "string") return (own = pkg.version);
    const up = dirname(dir);
    if (up === dir) return (own = "0.0.0-unknown");
    dir = up;
  }
}

function readPackage(file: string): { name?: unknown; version?: unknown } | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
  } catch {
    return null;
  }
}

/** "1", "0.2" or "0.0.3": the part of a version that must match for releases to run. */
export function compatLine(version: string): string | null {
  const v = semver.parse(version);
  if (v === null) return null;
  if (v.major > 0) return `${v.major}`;
  if (v.minor > 0) return `0.${v.minor}`;
  return `0.0.${v.patch}`;
}

/**
 * The release built by relx `builtBy` (undefined: not recorded, which only relx 0.1 builds did)
 * can run on this relx (`mine`, default its own version). Throws RELX_WRONG_RELX naming both
 * versions and the way out when their compatibility lines differ.
 */
export function checkBuiltBy(options: { vsn: string; dir: string; builtBy: string | undefined; mine?: string }): void {
  const mine = options.mine ?? relxVersion();
  const builtBy = options.builtBy ?? "0.1.0";
  const theirs = compatLine(builtBy);
  if (theirs !== null && theirs === compatLine(mine)) return;
  const by = options.builtBy === undefined ? "a relx that recorded no version (0.1.x)" : theirs === null ? `relx "${builtBy}"` : `relx ${builtBy} (${theirs}.x)`;
  const other = theirs === null ? "" : `, or install relx ${theirs}.x (npm install relx@^${builtBy}) and start the node with it`;
  throw new RelxError(
    "RELX_WRONG_RELX",
    `release ${options.vsn} in ${options.dir} was built by ${by}, but this is relx ${mine} (${compatLine(mine) ?? mine}.x): a node runs only releases of its own relx line, because relx's runtime is not hot-swapped`,
    { hint: `rebuild the release from its sources with this relx (relx build)${other}` },
  );
}
