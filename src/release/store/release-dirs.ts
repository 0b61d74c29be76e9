/** Which releases exist on disk: directories of releases/ named by a semver with a release.json. */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import semver from "semver";
import { pathExists } from "../fs-util.js";

/** The vsns present in `releasesDir`, ascending by semver; [] when the directory does not exist. */
export async function listReleaseVsns(releasesDir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(releasesDir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const candidates = entries.filter((e) => e.isDirectory() && semver.valid(e.name) === e.name).map((e) => e.name);
  const present = await Promise.all(candidates.map((vsn) => pathExists(join(releasesDir, vsn, "release.json"))));
  return candidates.filter((_, i) => present[i]).sort(semver.compare);
}
