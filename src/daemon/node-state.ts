/**
 * The release node's state, shared by the node (release-node.ts), its op handlers (handlers.ts)
 * and the upgrade runner (upgrade/). Its phase is changed by release-node.ts and upgrade.ts only:
 *
 * | phase     | entered by               | ops                    | upgrade      | stop()                  |
 * |-----------|--------------------------|------------------------|--------------|-------------------------|
 * | new       | createReleaseNode        | wait for boot          | —            | → stopped               |
 * | up        | boot() done; upgrade end | served                 | → upgrading  | → stopping              |
 * | upgrading | runUpgrade               | served (calls delayed) | RELX_BUSY    | waits for upgradeDone   |
 * | stopping  | stop()                   | RELX_NO_DAEMON         | RELX_BUSY    | the same stop           |
 * | stopped   | every process stopped    | RELX_NO_DAEMON         | —            | no-op                   |
 */
import type { WireError } from "../errors.js";
import type { UpgradeRecord, LastUpgrade } from "../protocol/results.js";
import type { RelxConfig } from "../release/config.js";
import type { ProcessRef } from "../runtime/host.js";
import type { RunningApp } from "./app-runtime.js";
import type { LoadedRelease } from "../release/load-release.js";
import type { ManifestCache } from "./read-ahead/manifest-cache.js";

export type NodePhase = "new" | "up" | "upgrading" | "stopping" | "stopped";

export type Log = (line: string) => void;

export interface NodeState {
  config: RelxConfig;
  log: Log;
  phase: NodePhase;
  /** Settles once boot() has finished, well or not: ops that arrive while booting wait for it. */
  booted: Promise<void>;
  release: LoadedRelease | null;
  /** Release manifests read ahead (read-ahead/): boot and every preflight read release.json through it. */
  manifests: ManifestCache;
  /** The running release's boot spec as evaluated at the last boot or upgrade (args, config, hooks). */
  app: RunningApp | null;
  /** The env file the app's config is read from (absolute), or null: read again at every upgrade. */
  envFile: string | null;
  /** Boot processes by name, in boot-spec order (one that gave up stays listed). */
  boot: Map<string, ProcessRef>;
  /** Boot processes that gave up, by name: the error they last crashed with. */
  down: Map<string, WireError>;
  /** Settles when the upgrade in flight has finished or rolled back (null: none in flight). */
  upgradeDone: Promise<void> | null;
  startedAt: number;
  lastUpgrade: LastUpgrade | null;
  /** The last UPGRADE_HISTORY upgrades and downgrades, failed ones included, newest last. */
  upgrades: UpgradeRecord[];
}

export const UPGRADE_HISTORY = 20;

/** A stop deadline per process: a terminate that hangs is given up on, so `relx stop` always ends. */
export const TERMINATE_TIMEOUT_MS = 5000;

/** All of a node's stop: past it, the processes not yet stopped are dropped without terminate. */
export const STOP_TIMEOUT_MS = 15_000;

/** An async init at boot that takes longer fails the boot (an init during an upgrade has codeChangeTimeoutMs). */
export const BOOT_INIT_TIMEOUT_MS = 30_000;
