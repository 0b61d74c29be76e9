/**
 * The daemon's manifest cache: each release's release.json read and checked ahead of time, in the
 * read-ahead worker, as OTP's check_install_release does the slow checks before install_release.
 * Keyed by release directory; each entry holds the identity of the file it came from, taken before
 * the read (file-identity.ts), and what a node keeps of it (LoadedManifest). An upgrade's preflight
 * uses an entry only when the file's identity is still the same; else it reads the file as it
 * always has, so every error comes from the same code. Only release.json is cached: the release's
 * files are checked against their checksums, and its code loaded, at every upgrade.
 *
 * | an entry of a release dir | made by                                  | dropped or replaced when       |
 * |---------------------------|------------------------------------------|--------------------------------|
 * | reading (a promise)       | read() (boot, preflight), or a read-ahead | —; readers join it             |
 * | read: identity + manifest | the read done                            | the dir is gone (relx remove), |
 * | failed: identity, null    | the read failed (logged once)            | or its file's identity changed |
 *
 * A read-ahead happens after boot (every release present but the one booted, which boot read) and
 * whenever a release appears or changes in releases/ (releases-watch.ts), newest first.
 */
import { readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import semver from "semver";
import type { LoadedManifest } from "../../release/manifest.js";
import { loadedManifest, readManifest } from "../../release/store/read-manifest.js";
import { isVsn } from "../../release/vsn.js";
import { fileIdentity, sameFile, type FileIdentity } from "./file-identity.js";
import { createManifestReader, type ManifestReader, type ReaderOptions } from "./manifest-reader.js";
import { watchReleases, type ReleasesWatch } from "./releases-watch.js";

interface Entry {
  identity: FileIdentity | null;
  manifest: LoadedManifest | null;
}

export interface ManifestCache {
  /**
   * The release.json of `dir` as loadRelease takes it: the cached one if the file is the one it
   * came from (a read-ahead in flight is waited for), else read and checked now (and cached).
   * Throws what readManifest throws (RELX_BAD_RELEASE).
   */
  read(dir: string): Promise<LoadedManifest>;
  /** Reads ahead every release present that is not cached as it is now, then each one that appears or changes. */
  start(): void;
  close(): void;
}

export interface CacheOptions extends ReaderOptions {
  releasesDir: string;
}

export function createManifestCache(options: CacheOptions): ManifestCache {
  const { releasesDir, log } = options;
  const entries = new Map<string, Promise<Entry>>();
  const reader: ManifestReader = createManifestReader(options);
  let watch: ReleasesWatch | null = null;
  let scanning: Promise<void> | null = null;
  let again = false;
  let closed = false;

  const fileOf = (dir: string) => join(dir, "release.json");

  async function read(dir: string): Promise<LoadedManifest> {
    const identity = await fileIdentity(fileOf(dir));
    const cached = await entries.get(dir);
    if (cached?.manifest && sameFile(cached.identity, identity)) return cached.manifest;
    // Not read ahead, changed since, or its read failed: read here, so the error is today's.
    const reading = readManifest(dir).then(loadedManifest);
    if (identity === null) {
      entries.delete(dir);
      return reading;
    }
    entries.set(dir, reading.then((manifest) => ({ identity, manifest }), () => ({ identity, manifest: null })));
    return reading;
  }

  function readAhead(dir: string): Promise<Entry> {
    const vsn = basename(dir);
    const entry = reader.read(dir).then((r): Entry => {
      if (r.manifest !== null) log(`read ahead release ${vsn}: ${describeSize(r.identity)} in ${Math.round(r.ms)} ms`);
      else log(`read ahead release ${vsn} failed (an upgrade to it reads it again): ${r.error}`);
      return { identity: r.identity, manifest: r.manifest };
    });
    entries.set(dir, entry);
    return entry;
  }

  /** Drops the entries of releases gone; reads ahead those not cached as they are now, one at a time. */
  async function scan(): Promise<void> {
    const names = await readdir(releasesDir).catch(() => [] as string[]);
    const vsns = names.filter(isVsn).sort(semver.rcompare);
    const present = new Set(vsns.map((v) => join(releasesDir, v)));
    for (const dir of entries.keys()) if (!present.has(dir)) entries.delete(dir);
    for (const dir of present) {
      if (closed) return;
      const identity = await fileIdentity(fileOf(dir));
      const entry = await entries.get(dir);
      if (identity === null) entries.delete(dir);
      else if (!sameFile(entry?.identity ?? null, identity)) await readAhead(dir);
    }
  }

  /** One scan at a time; what changes during one is seen by one more after it. */
  function rescan(): void {
    if (closed) return;
    if (scanning !== null) {
      again = true;
      return;
    }
    scanning = scan().finally(() => {
      scanning = null;
      if (again) {
        again = false;
        rescan();
      }
    });
  }

  return {
    read,
    start() {
      if (closed || watch !== null) return;
      watch = watchReleases(releasesDir, { changed: rescan, staging: () => reader.warm(), log });
      rescan();
    },
    close() {
      closed = true;
      watch?.close();
      reader.close();
      entries.clear();
    },
  };
}

function describeSize(identity: FileIdentity | null): string {
  if (identity === null) return "release.json";
  const bytes = Number(identity.size);
  return bytes >= 1e6 ? `release.json of ${(bytes / 1e6).toFixed(1)} MB` : `release.json of ${Math.ceil(bytes / 1e3)} kB`;
}
