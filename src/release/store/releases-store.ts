/**
 * releases/RELEASES: each release's state, as OTP's release_handler keeps it. A JSON array of
 * { vsn, state } sorted by semver, replaced atomically (temp file, fsync, rename) under a lock.
 * The directories are the truth about which releases exist: a release directory missing from the
 * file reads as "unpacked", a record whose directory is gone is dropped.
 *
 * | setReleaseState(X, …) | X becomes                          | the others                       |
 * |-----------------------|------------------------------------|----------------------------------|
 * | "unpacked"            | unpacked (a stale current at boot) | unchanged                        |
 * | "current"             | current (stays permanent if it is) | the previous current → old       |
 * | "permanent"           | permanent                          | previous permanent, current → old |
 * | "old"                 | old                                | unchanged                        |
 * So at most one release is permanent and at most one is current (installed, not yet permanent).
 * A new build or unpack is recorded "unpacked" as it is renamed into place: install-release.ts.
 * A file that breaks this (edited by hand) is refused: releases-schema.ts. A refusal to write
 * (permissions, a full or read-only disk) is RELX_WRITE_FAILED, with RELEASES as it was.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import semver from "semver";
import { RelxError } from "../../errors.js";
import type { ReleaseRecord, ReleaseState } from "../manifest.js";
import { loadConfig } from "../config.js";
import { takeFileLock } from "./file-lock.js";
import { pathExists, stageFile, writeFileAtomic } from "../fs-util.js";
import { MISSING, readJson } from "../json-file.js";
import { listReleaseVsns } from "./release-dirs.js";
import { asWriteFailure } from "../write-failure.js";

/** Every release present, with its state. Throws RELX_BAD_RELEASE when RELEASES is malformed. */
export async function readReleases(releasesDir: string): Promise<ReleaseRecord[]> {
  const file = join(releasesDir, "RELEASES");
  const recorded = await parseRecords(await readJson(file, "RELX_BAD_RELEASE"), file);
  const states = new Map(recorded.map((r) => [r.vsn, r.state]));
  const present = await listReleaseVsns(releasesDir);
  return present.map((vsn) => ({ vsn, state: states.get(vsn) ?? "unpacked" }));
}

/** Replaces RELEASES with `records`, sorted by semver. */
export async function writeReleases(releasesDir: string, records: ReleaseRecord[]): Promise<void> {
  try {
    await mkdir(releasesDir, { recursive: true });
    await writeFileAtomic(join(releasesDir, "RELEASES"), serialize(records));
  } catch (err) {
    throw asWriteFailure(err, releasesDir);
  }
}

/** RELEASES' contents for `records`. */
export function serialize(records: ReleaseRecord[]): string {
  const sorted = [...records].sort((a, b) => semver.compare(a.vsn, b.vsn));
  return JSON.stringify(sorted, null, 2) + "\n";
}

/** Sets the state of release `vsn` per the table above; returns the new records. Throws RELX_NO_SUCH_RELEASE. */
export async function setReleaseState(releasesDir: string, vsn: string, state: ReleaseState): Promise<ReleaseRecord[]> {
  const pending = await prepareReleaseState(releasesDir, vsn, state);
  await commitOrAbort(pending);
  await pending.sync();
  return pending.records;
}

/** commit, or on failure abort (the lock given back) and throw. */
export async function commitOrAbort(pending: PendingReleaseState): Promise<void> {
  try {
    pending.commit();
  } catch (err) {
    await pending.abort();
    throw err;
  }
}

/**
 * A RELEASES change written and fsynced but not yet in place. The lock is held until `abort`, or
 * until `sync` after `commit`: commit is then a single rename, cheap enough for an upgrade's pause.
 */
export interface PendingReleaseState {
  /** The records as they were when the lock was taken. */
  before: ReleaseRecord[];
  records: ReleaseRecord[];
  /**
   * Renames the new RELEASES into place, synchronously (one rename, no turn of the event loop: an
   * upgrade commits inside its pause). On failure RELEASES is as it was; call `abort` to drop the
   * new one and give the lock back.
   */
  commit(): void;
  /** After commit: fsyncs the directory (durable across a power loss) and gives the lock back. */
  sync(): Promise<void>;
  /** Instead of commit: drops the new RELEASES and gives the lock back. */
  abort(): Promise<void>;
}

/**
 * setReleaseState in steps, so an upgrade can do the slow part before it suspends anything.
 * Throws RELX_NO_SUCH_RELEASE, RELX_BAD_RELEASE, RELX_BUSY, RELX_WRITE_FAILED.
 */
export async function prepareReleaseState(releasesDir: string, vsn: string, state: ReleaseState): Promise<PendingReleaseState> {
  try {
    return await prepare(releasesDir, vsn, state);
  } catch (err) {
    throw asWriteFailure(err, releasesDir);
  }
}

async function prepare(releasesDir: string, vsn: string, state: ReleaseState): Promise<PendingReleaseState> {
  if (!(await pathExists(releasesDir))) throw noSuchRelease(releasesDir, vsn);
  const file = join(releasesDir, "RELEASES");
  const unlock = await takeFileLock(file);
  try {
    const records = await readReleases(releasesDir);
    if (!records.some((r) => r.vsn === vsn)) throw noSuchRelease(releasesDir, vsn);
    const next = records.map((r) => ({ vsn: r.vsn, state: transition(r, vsn, state) }));
    const staged = await stageFile(file, serialize(next));
    let phase: "staged" | "committed" | "done" = "staged";
    const finish = async (step: () => Promise<void>): Promise<void> => {
      phase = "done";
      try {
        await step();
      } finally {
        await unlock();
      }
    };
    return {
      before: records,
      records: next,
      commit() {
        if (phase !== "staged") return;
        try {
          staged.commit();
        } catch (err) {
          // Still "staged": the caller's abort gives the lock back.
          throw asWriteFailure(err, releasesDir);
        }
        phase = "committed";
      },
      async sync() {
        if (phase === "committed") await finish(staged.sync);
      },
      async abort() {
        if (phase === "staged") await finish(staged.abort);
      },
    };
  } catch (err) {
    await unlock();
    throw err;
  }
}

function noSuchRelease(releasesDir: string, vsn: string): RelxError {
  return new RelxError("RELX_NO_SUCH_RELEASE", `release ${vsn} is not in ${releasesDir}`, {
    hint: "run relx releases to see the releases present",
  });
}

/** The releases of the app at `root`, with their states. */
export async function listReleases(root: string): Promise<ReleaseRecord[]> {
  const config = await loadConfig(root);
  return readReleases(config.releasesDir);
}

function transition(record: ReleaseRecord, target: string, state: ReleaseState): ReleaseState {
  if (record.vsn === target) {
    return state === "current" && record.state === "permanent" ? "permanent" : state;
  }
  if (state === "current" && record.state === "current") return "old";
  if (state === "permanent" && (record.state === "current" || record.state === "permanent")) return "old";
  return record.state;
}

async function parseRecords(value: unknown, file: string): Promise<ReleaseRecord[]> {
  if (value === MISSING) return [];
  const { parseReleaseRecords } = await import("./releases-schema.js");
  return parseReleaseRecords(value, file);
}
