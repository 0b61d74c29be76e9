/**
 * ReleaseNode: one running release inside the daemon, as an OTP node runs one. It boots the
 * permanent release (else the newest, which it makes permanent), starts the boot spec's
 * processes in order, serves status/call/cast/state, runs upgrades and downgrades one at a
 * time, and stops every process in reverse start order.
 *
 * | phase     | boot() | handle(ops)           | upgrade      | stop()          |
 * |-----------|--------|-----------------------|--------------|-----------------|
 * | new       | → up   | RELX_BUG (not booted) | —            | → stopped       |
 * | up        | —      | served                | → upgrading  | → stopped       |
 * | upgrading | —      | served (calls delayed)| RELX_BUSY    | after upgrade   |
 * | stopped   | —      | refused               | —            | no-op           |
 */
import semver from "semver";
import { RelxError } from "../errors.js";
import type { RelxConfig } from "../release/config.js";
import { removeDeadTemps } from "../release/store/file-lock.js";
import { readReleases, setReleaseState } from "../release/store/releases-store.js";
import { startProcess, setDefaultCallTimeout } from "../runtime/api.js";
import { setRuntimeObserver, type Process } from "../runtime/process.js";
import { loadRelease, serverOf, type LoadedRelease } from "./load-release.js";
import { handleOp, type OpRequest } from "./ops.js";
import { logRuntimeEvent } from "./runtime-log.js";
import { stopAll } from "./shutdown.js";
import type { LastUpgrade } from "../protocol/results.js";

export interface ReleaseNodeOptions {
  root: string;
  config: RelxConfig;
  log: (line: string) => void;
}

export interface ReleaseNode {
  /** The running release's vsn (undefined before boot). */
  readonly vsn: string | undefined;
  boot(): Promise<void>;
  handle(req: OpRequest): Promise<unknown>;
  stop(): Promise<void>;
}

/** The node's mutable state, shared with the op handlers and the upgrade runner. */
export interface NodeState {
  config: RelxConfig;
  releasesDir: string;
  log: (line: string) => void;
  release: LoadedRelease | null;
  /** Boot processes, by name, in start order. */
  boot: Map<string, Process>;
  upgrading: boolean;
  stopped: boolean;
  startedAt: number;
  lastUpgrade: LastUpgrade | null;
}

export async function createReleaseNode(options: ReleaseNodeOptions): Promise<ReleaseNode> {
  const { config, log } = options;
  const node: NodeState = {
    config,
    releasesDir: config.releasesDir,
    log,
    release: null,
    boot: new Map(),
    upgrading: false,
    stopped: false,
    startedAt: Date.now(),
    lastUpgrade: null,
  };
  setDefaultCallTimeout(config.callTimeoutMs);
  setRuntimeObserver((e) => logRuntimeEvent(log, e));
  return {
    get vsn() {
      return node.release?.manifest.vsn;
    },
    boot: () => bootNode(node),
    handle: (req) => handleOp(node, req),
    stop: () => stopNode(node),
  };
}

async function bootNode(node: NodeState): Promise<void> {
  const vsn = await chooseBootRelease(node);
  const release = await loadRelease(node.config, vsn);
  node.release = release;
  for (const spec of release.manifest.boot.processes) {
    try {
      const p = await startProcess(serverOf(release, spec.server), spec.args, { name: spec.name, restart: spec.restart });
      node.boot.set(spec.name, p);
    } catch (err) {
      node.log(`boot of ${release.manifest.name} ${vsn} failed at process ${spec.name}: ${(err as Error).message}`);
      await stopAll(node);
      throw err;
    }
  }
  node.log(`booted ${release.manifest.name} ${vsn}: ${node.boot.size} processes`);
}

/**
 * The permanent release; with none, the newest, made permanent. A stale "current" is unpacked
 * again, and temp files of RELEASES writers that were killed are removed.
 */
async function chooseBootRelease(node: NodeState): Promise<string> {
  await removeDeadTemps(node.releasesDir);
  const records = await readReleases(node.releasesDir);
  if (records.length === 0) {
    throw new RelxError("RELX_NO_RELEASES", `no release of ${node.config.name} in ${node.releasesDir}`, {
      hint: "build one with `relx build`, then `relx start`",
    });
  }
  const permanent = records.find((r) => r.state === "permanent");
  const vsn = permanent?.vsn ?? records.map((r) => r.vsn).sort(semver.rcompare)[0]!;
  for (const stale of records.filter((r) => r.state === "current" && r.vsn !== vsn)) {
    await setReleaseState(node.releasesDir, stale.vsn, "unpacked");
  }
  if (!permanent) await setReleaseState(node.releasesDir, vsn, "permanent");
  return vsn;
}

async function stopNode(node: NodeState): Promise<void> {
  if (node.stopped) return;
  node.stopped = true;
  // An upgrade in flight finishes (or rolls back) first, so processes stop on settled code.
  while (node.upgrading) await new Promise((r) => setTimeout(r, 10));
  await stopAll(node);
  node.log(`stopped ${node.config.name}`);
}
