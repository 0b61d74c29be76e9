/**
 * removeRelease: deletes an `old` or `unpacked` release (OTP's remove_release): its directory, its
 * tarball and its RELEASES record, under the RELEASES lock, all or nothing.
 *
 * | step                                            | on failure                          |
 * |-------------------------------------------------|-------------------------------------|
 * | lock; the release exists, is old or unpacked    | refused, nothing touched            |
 * | the running daemon does not run it              | refused, nothing touched            |
 * | directory and tarball renamed aside (`.tmp-…`)  | renamed back                        |
 * | RELEASES rewritten without it                   | renamed back                        |
 * | the renamed-aside files deleted; unlock         | (a leftover `.tmp-` is ignored)     |
 *
 * Renaming the directory away is what makes the release disappear at once: readers see it or not,
 * never half of it.
 */
import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { RelxError } from "../../errors.js";
import type { RelxConfig } from "../config.js";
import { pathExists, randomSuffix } from "../fs-util.js";
import { tarballName } from "../tarball/tarball.js";
import { removeBuiltManifest } from "./built-manifest.js";
import { takeFileLock } from "./file-lock.js";
import { readReleases, writeReleases } from "./releases-store.js";

/** What a running daemon says it runs. */
export interface RunningNode {
  pid: number;
  /** undefined while it is still booting. */
  vsn: string | undefined;
}

export interface RemoveOptions {
  config: RelxConfig;
  vsn: string;
  /** Asked once the lock is held: the daemon of this root, or undefined when none runs. */
  runningNode(): Promise<RunningNode | undefined>;
}

export interface RemoveResult {
  ok: true;
  vsn: string;
  /** The paths deleted: the release directory, and its tarball when there was one. */
  removed: string[];
}

/** Throws RELX_NO_SUCH_RELEASE, RELX_RELEASE_IN_USE, RELX_BUSY (the lock, or a daemon still booting). */
export async function removeRelease(options: RemoveOptions): Promise<RemoveResult> {
  const { config, vsn } = options;
  const dir = config.releasesDir;
  const releasesFile = join(dir, "RELEASES");
  const unlock = await takeFileLock(releasesFile);
  try {
    const records = await readReleases(dir);
    const record = records.find((r) => r.vsn === vsn);
    if (record === undefined) throw noSuchRelease(dir, vsn);
    if (record.state === "current" || record.state === "permanent") throw inUse(vsn, record.state);
    refuseIfRunning(vsn, await options.runningNode());
    const paths = [join(dir, vsn), join(dir, tarballName(config.name, vsn))];
    const present = await presentOf(paths);
    const moved = await moveAside(present);
    try {
      if (await pathExists(releasesFile)) await writeReleases(dir, records.filter((r) => r.vsn !== vsn));
    } catch (err) {
      await moveBack(moved);
      throw err;
    }
    await Promise.all(moved.map(({ aside }) => rm(aside, { recursive: true, force: true }).catch(() => undefined)));
    // What a build left of it for the daemon (built-manifest.ts): else one more entry per vsn ever built.
    await removeBuiltManifest(config.root, join(dir, vsn));
    return { ok: true, vsn, removed: present };
  } finally {
    await unlock();
  }
}

function refuseIfRunning(vsn: string, node: RunningNode | undefined): void {
  if (node === undefined) return;
  if (node.vsn === undefined) {
    throw new RelxError("RELX_BUSY", `the daemon (pid ${node.pid}) is still booting; it may be booting ${vsn}`, {
      hint: `retry once \`relx ping\` shows the vsn it runs: \`relx remove ${vsn}\``,
    });
  }
  if (node.vsn === vsn) {
    throw new RelxError("RELX_RELEASE_IN_USE", `release ${vsn} is the one the running daemon (pid ${node.pid}) runs`, {
      hint: "move the node to another release first (`relx upgrade <vsn>` or `relx downgrade <vsn>`), then `relx remove " + vsn + "`",
    });
  }
}

function inUse(vsn: string, state: "current" | "permanent"): RelxError {
  const why = state === "permanent"
    ? "a restarted node boots it"
    : "the node runs it (installed by an upgrade, not yet permanent)";
  return new RelxError("RELX_RELEASE_IN_USE", `release ${vsn} is ${state}: ${why}; only old or unpacked releases can be removed`, {
    hint: "make another release permanent first (`relx upgrade <vsn>`, or `relx permanent <vsn>`), then `relx remove " + vsn + "`; `relx releases` shows the states",
  });
}

function noSuchRelease(dir: string, vsn: string): RelxError {
  return new RelxError("RELX_NO_SUCH_RELEASE", `release ${vsn} is not in ${dir}`, {
    hint: "run `relx releases` to see the releases present",
  });
}

async function presentOf(paths: string[]): Promise<string[]> {
  const exists = await Promise.all(paths.map(pathExists));
  return paths.filter((_, i) => exists[i]);
}

interface Moved {
  path: string;
  aside: string;
}

/** Renames each path to a `.tmp-<pid>-…` name beside it; all or none (what was moved is moved back). */
async function moveAside(paths: string[]): Promise<Moved[]> {
  const moved: Moved[] = [];
  try {
    for (const path of paths) {
      const aside = `${path}.tmp-${process.pid}-${randomSuffix()}`;
      await rename(path, aside);
      moved.push({ path, aside });
    }
  } catch (err) {
    await moveBack(moved);
    throw err;
  }
  return moved;
}

async function moveBack(moved: Moved[]): Promise<void> {
  for (const { path, aside } of [...moved].reverse()) await rename(aside, path).catch(() => undefined);
}
