/**
 * The daemon's manifest cache: each release's release.json read and checked ahead of time, in the
 * read-ahead worker, as OTP's check_install_release does the slow checks before install_release.
 * Keyed by release directory; each entry holds the identity of the file it came from, taken before
 * the read (file-identity.ts), and what a node keeps of it (LoadedManifest). read() (boot, every
 * preflight) uses an entry only while the file's identity is still the same; else it reads the
 * file as it always has, so every error comes from the same code. Only release.json is cached:
 * the release's files are checked against their checksums, and its code loaded, at every upgrade.
 *
 * | a release dir's slot | made by                                  | dropped or replaced when        |
 * |----------------------|------------------------------------------|---------------------------------|
 * | reading              | read(), or a scan's read-ahead           | — (read() waits for it)         |
 * | read: the manifest   | the read done                            | its dir is gone (relx remove),  |
 * | failed: no manifest  | the read failed (a read-ahead: logged)   | or its file is not the same one |
 *
 * A scan reads ahead every release present whose file is not the one cached, newest first: after
 * boot (boot read the booted one), and whenever a release appears, changes or goes in releases/
 * (releases-watch.ts). A scan only stats and hands the reads to the worker, so it is short, and
 * read() waits for one in progress (or due) before it looks: an upgrade right after a build joins
 * that build's read-ahead instead of reading the file a second time.
 */
import { readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import semver from "semver";
import type { LoadedManifest } from "../../release/manifest.js";
import { readLoadedManifest } from "../../release/store/built-manifest.js";
import { isVsn } from "../../release/vsn.js";
import { fileIdentity, sameFile, type FileIdentity } from "../../release/store/file-identity.js";
import { createManifestReader, type ReaderOptions } from "./manifest-reader.js";
import { watchReleases, type ReleasesWatch } from "./releases-watch.js";

interface Slot {
  /** The file's identity when the read was asked for (the read's own may be newer). */
  asked: FileIdentity;
  done: Promise<{ identity: FileIdentity | null; manifest: LoadedManifest | null }>;
  settled: boolean;
  /** read() waited for this read-ahead: its log line says so. */
  waited: boolean;
}

export interface ManifestCache {
  /**
   * The release.json of `dir` as loadRelease takes it: the cached one if the file is the one it
   * came from (a read in flight is waited for), else read and checked now, and cached.
   * Throws what readManifest throws (RELX_BAD_RELEASE).
   */
  read(dir: string): Promise<LoadedManifest>;
  /** Scans releases/ now, and again whenever it changes. */
  start(): void;
  close(): void;
}

export interface CacheOptions extends ReaderOptions {
  releasesDir: string;
  /** WAIT_MS unless a test gives another. */
  waitMs?: number;
}

/** How long a read waits for the read-ahead of its file before it reads the file itself. */
export const WAIT_MS = 10_000;

/** `promise`'s value, or null if it has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export function createManifestCache(options: CacheOptions): ManifestCache {
  const { releasesDir, log } = options;
  const slots = new Map<string, Slot>();
  const reader = createManifestReader(options);
  let watch: ReleasesWatch | null = null;
  let scanning: Promise<void> | null = null;
  let again = false;
  let closed = false;

  const fileOf = (dir: string) => join(dir, "release.json");
  const remember = (dir: string, asked: FileIdentity, done: Slot["done"]): Slot => {
    const slot: Slot = { asked, done, settled: false, waited: false };
    void done.then(() => (slot.settled = true));
    slots.set(dir, slot);
    return slot;
  };

  async function read(dir: string): Promise<LoadedManifest> {
    watch?.flush();
    while (scanning !== null) await scanning;
    const identity = await fileIdentity(fileOf(dir));
    const slot = slots.get(dir);
    // A read in flight is waited for when it was asked for this very file (else it is stale).
    if (slot !== undefined && identity !== null && (slot.settled || sameFile(slot.asked, identity))) {
      if (!slot.settled) {
        slot.waited = true;
        reader.hurry(dir);
      }
      // Bounded: the worker reads one file at a time, and a read stuck in front of this one (a
      // hung network filesystem) must not hold the upgrade, or the daemon's stop, for good.
      const cached = await within(slot.done, options.waitMs ?? WAIT_MS);
      if (cached !== null && cached.manifest !== null && sameFile(cached.identity, identity)) return cached.manifest;
    }
    // Not read ahead, changed since, or its read failed: read here, so the error is today's (what
    // the build of this very file left is taken as the read-ahead would: no parse then).
    const reading = readLoadedManifest(dir, identity, options.built).then((r) => r.manifest);
    if (identity === null) slots.delete(dir);
    else remember(dir, identity, reading.then((manifest) => ({ identity, manifest }), () => ({ identity, manifest: null })));
    return reading;
  }

  function readAhead(dir: string, asked: FileIdentity): void {
    const slot = remember(dir, asked, reader.read(dir).then((r) => {
      if (!closed) {
        const vsn = basename(dir);
        const waited = slot.waited ? " (an upgrade waited for it)" : "";
        if (r.manifest !== null) log(`read ahead release ${vsn}: ${r.built === true ? `what its build left of its ${describeSize(r.identity)}` : describeSize(r.identity)} in ${Math.round(r.ms)} ms${waited}`);
        else log(`read ahead release ${vsn} failed (an upgrade to it reads it again): ${r.error}`);
      }
      return { identity: r.identity, manifest: r.manifest };
    }));
  }

  /** Drops the slots of releases gone; hands the worker a read of each release whose file is not the one cached. */
  async function scan(): Promise<void> {
    const names = await readdir(releasesDir).catch(() => [] as string[]);
    const dirs = names.filter(isVsn).sort(semver.rcompare).map((vsn) => join(releasesDir, vsn));
    const present = new Set(dirs);
    for (const dir of slots.keys()) if (!present.has(dir)) slots.delete(dir);
    const identities = await Promise.all(dirs.map((dir) => fileIdentity(fileOf(dir))));
    if (closed) return;
    dirs.forEach((dir, i) => {
      const identity = identities[i]!;
      if (identity === null) slots.delete(dir);
      else if (!sameFile(slots.get(dir)?.asked ?? null, identity)) readAhead(dir, identity);
    });
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
      slots.clear();
    },
  };
}

function describeSize(identity: FileIdentity | null): string {
  if (identity === null) return "release.json";
  const bytes = Number(identity.size);
  return bytes >= 1e6 ? `release.json of ${(bytes / 1e6).toFixed(1)} MB` : `release.json of ${Math.ceil(bytes / 1e3)} kB`;
}
