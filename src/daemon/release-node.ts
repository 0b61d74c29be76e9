/**
 * ReleaseNode: one running release inside the daemon, as an OTP node runs one. It boots the
 * permanent release (else the newest, which it makes permanent), starts the boot spec's
 * processes in order, serves the node's ops (handlers.ts), runs upgrades and downgrades one at a
 * time (upgrade/), and stops every process newest first. Its phases are in node-state.ts.
 */
import semver from "semver";
import { RelxError, textOf } from "../errors.js";
import type { RelxConfig } from "../release/config.js";
import { removeDeadTemps } from "../release/store/file-lock.js";
import { readReleases, setReleaseState } from "../release/store/releases-store.js";
import * as host from "../runtime/host.js";
import { nodeHandlers, type NodeHandlers } from "./handlers.js";
import { evaluateBootSpec, runHook } from "./app-runtime.js";
import { loadRelease, serverOf } from "../release/load-release.js";
import { BOOT_INIT_TIMEOUT_MS, type Log, type NodeState } from "./node-state.js";
import { builtManifestsDir } from "../release/store/built-manifest.js";
import { createManifestCache } from "./read-ahead/manifest-cache.js";
import { logRuntimeEvent } from "./runtime-log.js";
import { abortHeld } from "./upgrade/two-phase.js";
import { stopAll } from "./shutdown.js";

export interface ReleaseNodeOptions {
  config: RelxConfig;
  log: Log;
  /** `relx start --env-file` (absolute); else the config's envFile. */
  envFile?: string;
  /** A boot process gave up and `onGiveUp` is "exit": the node must stop, and the daemon exit 1. */
  onFatal(why: string): void;
}

export interface ReleaseNode {
  /** The running release's vsn (undefined before boot). */
  readonly vsn: string | undefined;
  readonly handlers: NodeHandlers;
  /** Settles once boot() has finished, well or not. */
  readonly booted: Promise<void>;
  boot(): Promise<void>;
  stop(): Promise<void>;
}

export function createReleaseNode(options: ReleaseNodeOptions): ReleaseNode {
  const { config, log } = options;
  let markBooted = (): void => undefined;
  const node: NodeState = {
    config,
    log,
    phase: "new",
    booted: new Promise<void>((done) => (markBooted = done)),
    release: null,
    manifests: createManifestCache({ releasesDir: config.releasesDir, built: builtManifestsDir(config.root), log }),
    app: null,
    envFile: options.envFile ?? config.envFile,
    boot: new Map(),
    down: new Map(),
    upgradeDone: null,
    startedAt: Date.now(),
    lastUpgrade: null,
    upgrades: [],
  };
  host.setDefaultCallTimeout(config.callTimeoutMs);
  host.setRuntimeObserver((e) => {
    // A stopping node stops every process: one line says so, not one per process.
    if (e.type === "exit" && node.phase === "stopping") return;
    logRuntimeEvent(log, e);
    if (e.type === "giveup") onGiveUp(node, e, options.onFatal);
  });
  return {
    get vsn() {
      return node.release?.manifest.vsn;
    },
    handlers: nodeHandlers(node),
    booted: node.booted,
    boot: () => bootNode(node).finally(markBooted),
    stop: () => stopNode(node),
  };
}

async function bootNode(node: NodeState): Promise<void> {
  const { vsn, record } = await chooseBootRelease(node);
  // Checked before RELEASES changes: a release this node refuses (damaged, from another relx
  // line, config missing) leaves the disk as it was.
  const release = await loadRelease(node.config, vsn, { readManifest: node.manifests.read });
  const app = await evaluateBootSpec(release, node.envFile);
  await record();
  node.release = release;
  node.app = app;
  for (const spec of app.processes) {
    try {
      const server = serverOf(release, spec.server);
      const ref = await host.spawn({ server, args: spec.args, name: spec.name, restart: spec.restart, initTimeoutMs: BOOT_INIT_TIMEOUT_MS });
      node.boot.set(spec.name, ref);
    } catch (err) {
      node.log(`boot of ${release.manifest.name} ${vsn} failed at process ${spec.name}: ${(err as Error).message}`);
      await stopAll(node);
      throw err;
    }
  }
  if (node.phase === "new") node.phase = "up";
  node.log(`booted ${release.manifest.name} ${vsn}: ${node.boot.size} processes`);
  // The other releases present are read ahead in the background, and each one that appears later.
  if (node.phase === "up") node.manifests.start();
  await runHook(app, { name: "afterStart", info: { vsn }, timeoutMs: node.config.hookTimeoutMs, log: node.log }).catch((err) => {
    node.log(`${(err as Error).message}; the node runs on`);
  });
}

/**
 * The permanent release; with none, the newest, which `record` makes permanent. `record` also
 * unpacks a stale "current" again. Temp files of RELEASES writers that were killed are removed.
 */
async function chooseBootRelease(node: NodeState): Promise<{ vsn: string; record: () => Promise<void> }> {
  const dir = node.config.releasesDir;
  await removeDeadTemps(dir);
  const records = await readReleases(dir);
  if (records.length === 0) {
    throw new RelxError("RELX_NO_RELEASES", `no release of ${node.config.name} in ${dir}`, {
      hint: "build one with `relx build`, then `relx start`",
    });
  }
  const permanent = records.find((r) => r.state === "permanent");
  const vsn = permanent?.vsn ?? records.map((r) => r.vsn).sort(semver.rcompare)[0]!;
  const record = async (): Promise<void> => {
    for (const stale of records.filter((r) => r.state === "current" && r.vsn !== vsn)) {
      await setReleaseState(dir, stale.vsn, "unpacked");
      node.log(`${stale.vsn} was current but never made permanent: unpacked again; booting the permanent ${vsn} (\`relx permanent\` keeps a release across restarts)`);
    }
    if (!permanent) await setReleaseState(dir, vsn, "permanent");
  };
  return { vsn, record };
}

async function stopNode(node: NodeState): Promise<void> {
  if (node.phase === "stopping" || node.phase === "stopped") return;
  // An upgrade in flight finishes (or rolls back) first, so processes stop on settled code.
  const upgrade = node.upgradeDone;
  node.phase = "stopping";
  await abortHeld(node, "the node is stopping");
  if (upgrade !== null) await upgrade;
  node.manifests.close();
  if (node.app !== null) {
    const info = { vsn: node.release?.manifest.vsn };
    await runHook(node.app, { name: "beforeStop", info, timeoutMs: node.config.hookTimeoutMs, log: node.log }).catch((err) => {
      node.log(`${(err as Error).message}; stopping anyway`);
    });
  }
  const count = host.infoAll().length;
  await stopAll(node);
  node.phase = "stopped";
  node.log(`stopped ${node.config.name}: ${count} processes`);
}

/** A boot process that gave up is down with its last error; with onGiveUp "exit" the node stops. */
function onGiveUp(node: NodeState, e: { process: host.EventSubject; error: unknown }, onFatal: (why: string) => void): void {
  const name = e.process.name;
  const ref = name === null ? undefined : node.boot.get(name);
  if (name === null || ref === undefined || host.info(ref).pid.id !== e.process.pid.id) return;
  const error = e.error instanceof RelxError ? e.error : new RelxError("RELX_CALLBACK_FAILED", textOf(e.error));
  node.down.set(name, { code: error.code, message: error.message });
  if (node.config.onGiveUp === "exit") onFatal(`boot process ${name} restarted too often (onGiveUp: "exit")`);
}
