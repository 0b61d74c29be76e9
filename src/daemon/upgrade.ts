/**
 * The upgrade runner (SPEC §7): preflight → load → plan → suspend (one deadline) → codeChange →
 * start new boot processes → record the release in RELEASES → [point of no return] → rebind,
 * resume, stop removed processes. Anything failing before the point of no return puts every process back
 * to its old code and state and resumes it; the release stays as it was.
 *
 * | step            | on failure                                   | rolledBack |
 * |-----------------|----------------------------------------------|------------|
 * | preflight, load | nothing touched                              | false      |
 * | suspend         | every process resumed, the stuck one named   | false      |
 * | codeChange      | old code and state back, resumed             | true       |
 * | start new procs | started ones stopped, old code/state back    | true       |
 * | record RELEASES | as above; RELEASES as it was                 | true       |
 */
import { performance } from "node:perf_hooks";
import { RelxError } from "../errors.js";
import { failed, round } from "./upgrade-result.js";
import { prepareReleaseState, type PendingReleaseState } from "../release/store/releases-store.js";
import { changeCodeAll, resumeAll, type Rollback } from "../runtime/bulk.js";
import { startProcess } from "../runtime/api.js";
import type { Process } from "../runtime/process.js";
import { lastPidId, reclaimName, releaseName } from "../runtime/registry.js";
import { loadRelease, serverOf, type LoadedRelease } from "./load-release.js";
import type { NodeState } from "./release-node.js";
import { stopOne } from "./shutdown.js";
import { dryRunUpgrade } from "./upgrade-dry-run.js";
import type { UpgradeResult } from "../protocol/results.js";
import { mergePlan, planUpgrade, type UpgradePlan } from "./upgrade-plan.js";
import { preflight, type Direction } from "./upgrade-preflight.js";
import { suspendWithin } from "./suspend-within.js";

export interface UpgradeOptions {
  direction: Direction;
  vsn: string;
  extra: unknown;
  dryRun: boolean;
  permanent: boolean;
}

/** Runs one upgrade or downgrade; throws a RelxError whose `details.rolledBack` says what happened. */
export async function runUpgrade(node: NodeState, options: UpgradeOptions): Promise<unknown> {
  if (node.upgrading) {
    throw failed(new RelxError("RELX_BUSY", "another upgrade or downgrade is running", { hint: "wait for it, then see `relx status`" }), false);
  }
  node.upgrading = true;
  const t0 = performance.now();
  try {
    let target: LoadedRelease;
    try {
      preflight(node, options.direction, options.vsn);
      target = await loadRelease(node.config, options.vsn);
    } catch (err) {
      throw failed(err, false);
    }
    if (options.dryRun) return await dryRunUpgrade(node, target, planUpgrade(node.boot, node.release!, target, options.direction), options, t0);
    return await applyUpgrade(node, target, options, t0);
  } finally {
    node.upgrading = false;
  }
}

async function applyUpgrade(node: NodeState, target: LoadedRelease, options: UpgradeOptions, t0: number): Promise<UpgradeResult> {
  const from = node.release!.manifest.vsn;
  const to = target.manifest.vsn;
  // The slow half of recording the release (write + fsync) happens before anything is suspended.
  let record: PendingReleaseState;
  try {
    record = await prepareReleaseState(node.releasesDir, to, options.permanent ? "permanent" : "current");
  } catch (err) {
    throw failed(err, false);
  }
  // Planned with no await before the suspend, so no process can start in between unseen.
  const plan = planUpgrade(node.boot, node.release!, target, options.direction);
  const tSuspend = performance.now();
  try {
    await suspendPlan(node, target, plan, options);
  } catch (err) {
    await record.abort();
    node.log(`${options.direction === "up" ? "upgrade" : "downgrade"} ${from} -> ${to} failed: ${(err as Error).message}`);
    throw failed(err, false);
  }
  const tSuspended = performance.now();
  const changedProcs = plan.items.map((i) => i.process);
  const started = await swapCode(node, target, plan, options, changedProcs, record);
  const tSwapped = performance.now();
  // Point of no return: the new code runs.
  for (const { process, def } of plan.rebind) process.def = def;
  resumeAll(changedProcs);
  const pauseMs = performance.now() - tSuspend;
  const phases = `suspend ${round(tSuspended - tSuspend)}, change and record ${round(tSwapped - tSuspended)}, resume ${round(performance.now() - tSwapped)}`;
  await record.sync(); // durable, and the RELEASES lock given back
  node.release = target;
  for (const p of plan.stop) await stopOne(node, p, "shutdown");
  rebuildBoot(node, target, started);
  node.lastUpgrade = { from, to, pauseMs: round(pauseMs), at: new Date().toISOString() };
  node.log(`${options.direction === "up" ? "upgrade" : "downgrade"} ${from} -> ${to}: ${plan.changed.length} changed, ${started.length} started, ${plan.stop.length} stopped, pause ${round(pauseMs)} ms (${phases})`);
  return {
    ok: true,
    from,
    to,
    changed: plan.changed,
    started: started.map((p) => p.name!),
    stopped: plan.stop.map((p) => p.name ?? String(p.pid)),
    pauseMs: round(pauseMs),
    durationMs: round(performance.now() - t0),
  };
}

/**
 * Suspends every process the plan changes or stops, under one deadline each round. A process that
 * was busy may have spawned others before it stopped: those are planned and suspended too, until
 * no new process appears. On failure every process suspended here is resumed.
 */
async function suspendPlan(node: NodeState, target: LoadedRelease, plan: UpgradePlan, options: UpgradeOptions): Promise<void> {
  const touched = (p: UpgradePlan): Process[] => [...p.items.map((i) => i.process), ...p.stop];
  try {
    await suspendWithin(touched(plan), node.config.suspendTimeoutMs);
    for (let round = 0; lastPidId() > plan.mark && round < 10; round++) {
      const late = planUpgrade(node.boot, node.release!, target, options.direction, plan.mark);
      mergePlan(plan, late);
      await suspendWithin(touched(late), node.config.suspendTimeoutMs);
    }
  } catch (err) {
    resumeAll(touched(plan));
    throw err;
  }
}

/** codeChange on every changed process, then the new boot processes; all back on any failure. */
async function swapCode(node: NodeState, target: LoadedRelease, plan: UpgradePlan, options: UpgradeOptions, changedProcs: Process[], record: PendingReleaseState): Promise<Process[]> {
  let rollback: Rollback = () => {};
  const started: Process[] = [];
  for (const p of plan.stop) releaseName(p);
  try {
    rollback = await changeCodeAll(plan.items, options.extra, { timeoutMs: node.config.codeChangeTimeoutMs });
    for (const spec of plan.start) {
      started.push(await startProcess(serverOf(target, spec.server), spec.args, { name: spec.name, restart: spec.restart }));
    }
    // Recorded before the point of no return (one rename): if it fails, everything goes back.
    await record.commit();
    return started;
  } catch (err) {
    await record.abort();
    for (const p of started.reverse()) await stopOne(node, p, "shutdown");
    rollback();
    for (const p of plan.stop) reclaimName(p);
    resumeAll([...changedProcs, ...plan.stop]);
    node.log(`${options.direction === "up" ? "upgrade" : "downgrade"} to ${target.manifest.vsn} rolled back: ${(err as Error).message}`);
    throw failed(err, true);
  }
}

/** node.boot becomes the target's boot processes (kept and started), in its boot-spec order. */
function rebuildBoot(node: NodeState, target: LoadedRelease, started: Process[]): void {
  const byName = new Map<string, Process>();
  for (const [name, p] of node.boot) if (p.alive) byName.set(name, p);
  for (const p of started) byName.set(p.name!, p);
  node.boot = new Map();
  for (const spec of target.manifest.boot.processes) {
    const p = byName.get(spec.name);
    if (p) node.boot.set(spec.name, p);
  }
}
