/**
 * Staging directories: a build or unpack writes into releases/.staging-<label>-<pid>-<random>/
 * and renames the finished release into place, so releases/<vsn> appears whole or not at all.
 *
 * | staging dir of        | at the start of the next build or unpack |
 * |-----------------------|------------------------------------------|
 * | a live process        | left alone (a build running beside us)   |
 * | a dead process        | removed (an interrupted build)           |
 * | an unparsable name    | removed                                  |
 */
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { isAlive } from "./file-lock.js";
import { randomSuffix } from "../fs-util.js";

const PREFIX = ".staging-";
const PID = /-(\d+)-[0-9a-f]+$/;

/**
 * Creates and returns a fresh staging directory in `releasesDir` (created if missing), owner-only
 * whatever the umask, so nobody else can change a release while it is assembled or extracted.
 */
export async function makeStaging(releasesDir: string, label: string): Promise<string> {
  const dir = join(releasesDir, `${PREFIX}${label}-${process.pid}-${randomSuffix()}`);
  await mkdir(releasesDir, { recursive: true });
  await mkdir(dir, { mode: 0o700 });
  return dir;
}

/** Removes the staging directories left by processes that no longer run. */
export async function removeStaleStaging(releasesDir: string): Promise<void> {
  const names = await readdir(releasesDir).catch(() => [] as string[]);
  const stale = names.filter((name) => name.startsWith(PREFIX) && !ownerAlive(name));
  await Promise.all(stale.map((name) => rm(join(releasesDir, name), { recursive: true, force: true })));
}

function ownerAlive(name: string): boolean {
  const pid = Number(PID.exec(name)?.[1]);
  return Number.isSafeInteger(pid) && pid > 0 && isAlive(pid);
}
