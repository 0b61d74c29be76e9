/**
 * build (relx build): an immutable release in releases/<vsn>/, written all or nothing.
 *
 * | step                 | on disk                                                   |
 * |----------------------|-----------------------------------------------------------|
 * | start                | stale releases/.staging-* of dead processes removed       |
 * | assemble             | releases/.staging-<vsn>-<pid>-<rand>/<vsn>/ (+ tarball)   |
 * | seal                 | owner-writable only (0755 / 0644), whatever the umask     |
 * | install (one step)   | releases/<vsn>/, releases/<name>-<vsn>.tar.gz and the RELEASES entry ("unpacked") appear together (store/install-release.ts) |
 * | failure at any step  | the staging dir is removed; releases/<vsn> never appears  |
 * A refusal to write (permissions, read-only or full disk) is RELX_WRITE_FAILED.
 */
import { mkdir, rm, rmdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { RelxError } from "../../errors.js";
import { parseVsn } from "../vsn.js";
import type { Manifest } from "../manifest.js";
import { loadConfig, type RelxConfig } from "../config.js";
import { assembleRelease } from "./assemble.js";
import { pathExists } from "../fs-util.js";
import { writeBuiltManifest } from "../store/built-manifest.js";
import { installRelease } from "../store/install-release.js";
import { sealRelease } from "../store/seal-release.js";
import { makeStaging, removeStaleStaging } from "../store/staging.js";
import { tarballName, writeTarball } from "../tarball/tarball.js";
import { asWriteFailure } from "../write-failure.js";

export interface BuildOptions {
  root: string;
  /** The release's vsn; package.json's version when absent. */
  vsn?: string;
  /** Also write releases/<name>-<vsn>.tar.gz. */
  tar?: boolean;
  /** Type-check the sources with the TypeScript compiler first. */
  typecheck?: boolean;
  onProgress?: (msg: string) => void;
}

export interface BuildResult {
  name: string;
  vsn: string;
  /** releases/<vsn>, absolute. */
  dir: string;
  manifest: Manifest;
  tarball: string | null;
  warnings: string[];
  durationMs: number;
}

/**
 * Builds a release. Throws RELX_BAD_CONFIG, RELX_BAD_VSN, RELX_RELEASE_EXISTS, RELX_BUILD_FAILED,
 * RELX_DUPLICATE_SERVER, RELX_BAD_BOOT_SPEC, RELX_VSN_NOT_BUMPED, RELX_BAD_RELEASE (a malformed
 * older release, or RELEASES), RELX_BUSY (RELEASES.lock held), RELX_WRITE_FAILED.
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const config = await loadConfig(options.root);
  const vsn = checkVsn(options.vsn ?? config.version, options.vsn !== undefined);
  try {
    return await buildInto(config, vsn, options, started);
  } catch (err) {
    throw asWriteFailure(err, config.releasesDir, `release ${vsn} was not built`);
  }
}

async function buildInto(config: RelxConfig, vsn: string, options: BuildOptions, started: number): Promise<BuildResult> {
  const releasesDir = config.releasesDir;
  const dir = join(releasesDir, vsn);
  // The first build of an app makes releases/ (and its parents, for a nested releasesDir); one
  // that fails takes them away again (all or nothing). mkdir names the first directory it made.
  const firstMade = await mkdir(releasesDir, { recursive: true });
  try {
    return await buildInReleasesDir(config, vsn, dir, options, started);
  } catch (err) {
    if (firstMade !== undefined) await removeMadeDirs(releasesDir, resolve(firstMade));
    throw err;
  }
}

/** Removes `dir` and its parents up to `first`, each only if it is empty. */
async function removeMadeDirs(dir: string, first: string): Promise<void> {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (!(await rmdir(d).then(() => true, () => false))) return;
    if (d === first || dirname(d) === d) return;
  }
}

async function buildInReleasesDir(config: RelxConfig, vsn: string, dir: string, options: BuildOptions, started: number): Promise<BuildResult> {
  const progress = options.onProgress ?? (() => {});
  const releasesDir = config.releasesDir;
  await removeStaleStaging(releasesDir);
  if (await pathExists(dir)) throw releaseExists(vsn);
  const staging = await makeStaging(releasesDir, vsn);
  try {
    const stagedDir = join(staging, vsn);
    await mkdir(stagedDir);
    const { manifest, warnings } = await assembleRelease({ config, vsn, dir: stagedDir, typecheck: !!options.typecheck, progress });
    const checked = await readableManifest(manifest, dir, stagedDir);
    await sealRelease(stagedDir);
    const tarName = tarballName(config.name, vsn);
    if (options.tar) {
      progress(`writing ${tarName}`);
      await writeTarball({ cwd: staging, top: vsn, file: join(staging, tarName), mtime: new Date(manifest.createdAt) });
    }
    const tarball = options.tar ? join(releasesDir, tarName) : null;
    await installRelease({
      releasesDir,
      vsn,
      staged: stagedDir,
      ...(tarball ? { tarball: { from: join(staging, tarName), to: tarball } } : {}),
      aside: join(staging, "aside"),
      exists: () => releaseExists(vsn),
    });
    // For a daemon of this root: what it keeps of the manifest, so that it need not parse it (best effort).
    await writeBuiltManifest(config.root, dir, checked);
    const durationMs = Math.round(performance.now() - started);
    return { name: config.name, vsn, dir, manifest, tarball, warnings, durationMs };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * The manifest as relx's own read of release.json takes it (parseManifest), before anything is
 * installed: a release the daemon, `relx releases` or the next build would refuse is not built.
 * The build's own checks (package.json, the boot spec) word each such case first; this is what
 * stands behind them. Throws RELX_BUILD_FAILED naming the field.
 */
async function readableManifest(manifest: Manifest, dir: string, stagedDir: string): Promise<Manifest> {
  const { parseManifest } = await import("../store/manifest-schema.js");
  try {
    return parseManifest(manifest, join(dir, "release.json"), stagedDir);
  } catch (err) {
    throw new RelxError("RELX_BUILD_FAILED", `the release.json this build made would be refused when read: ${(err as Error).message}`, {
      cause: err,
      hint: "fix the field it names (in package.json, the boot spec or a server's module), then build again",
    });
  }
}

function checkVsn(vsn: string, fromFlag: boolean): string {
  if (vsn === "") {
    throw new RelxError("RELX_BAD_VSN", "package.json has no version, and no --vsn was given", {
      hint: 'add "version" to package.json, or run relx build --vsn 1.0.0',
    });
  }
  return parseVsn(vsn, { what: fromFlag ? "--vsn" : "package.json version", retry: (v) => `relx build --vsn ${v}` });
}

function releaseExists(vsn: string): RelxError {
  return new RelxError("RELX_RELEASE_EXISTS", `release ${vsn} already exists: releases are immutable`, {
    hint: "bump version in package.json, or run relx build --vsn <a new version>",
  });
}
