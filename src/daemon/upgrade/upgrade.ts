/**
 * The upgrade runner (SPEC §7): OTP's release_handler_1:eval_script for relx. It evaluates the
 * plan release/plan.ts makes of a snapshot of the live processes, in this order:
 *
 *   preflight + load → beforeUpgrade → prepare the RELEASES record (beside it, on the fused path,
 *   the codeChanges tried ahead: tryAhead) → snapshot → plan → script → suspend → change code →
 *   start new boot processes → commit the record → [point of no return] → rebind, resume → stop
 *   removed processes → sync the record → afterUpgrade
 *
 * | step                      | on failure                                        | rolledBack |
 * |---------------------------|---------------------------------------------------|------------|
 * | preflight, load, prepare  | nothing touched                                   | false      |
 * | suspend                   | every process resumed, the stuck one named        | false      |
 * | change code               | old code and state back, resumed                  | true       |
 * | start new boot processes  | started ones stopped, old code and state back     | true       |
 * | commit the record         | as above; RELEASES as it was                      | true       |
 *
 * The RELEASES lock and temp file are given back on every path (abort is a no-op once committed).
 * `prepareUpgrade` goes up to the commit and `finishUpgrade` from it; an ordinary upgrade runs one
 * after the other, a two-phase one (two-phase.ts, for fleets) holds in between.
 */
import { performance } from "node:perf_hooks";
import { RelxError, toRelxError } from "../../errors.js";
import type { DryRunResult, UpgradeResult } from "../../protocol/results.js";
import { prepareReleaseState, type PendingReleaseState } from "../../release/store/releases-store.js";
import * as host from "../../runtime/host.js";
import { runHook } from "../app-runtime.js";
import { UPGRADE_HISTORY, type NodeState } from "../node-state.js";
import { stopOne } from "../shutdown.js";
import { dryRunUpgrade } from "./dry-run.js";
import { planLive, upgradeResult, type LivePlan } from "./live-plan.js";
import type { UpgradeOptions, UpgradeRun } from "./options.js";
import { preflight } from "./preflight.js";
import { failed, round } from "./result.js";
import { appendScript, changedRefs, compileScript, suspendedRefs, type Script } from "./script.js";
import * as heap from "./heap.js";

/** Processes spawned while the upgrade waited for busy ones are planned too, this many rounds at most. */
const LATE_ROUNDS = 10;

/** Runs one upgrade or downgrade; a failure is a RelxError whose `details.rolledBack` says what happened. */
export async function runUpgrade(node: NodeState, options: UpgradeOptions): Promise<UpgradeResult | DryRunResult> {
  const slot = takeSlot(node);
  try {
    const run = await begin(node, options);
    if (options.dryRun) return await dryRunUpgrade(run);
    return await finishUpgrade(await prepareUpgrade(run, true));
  } catch (err) {
    if (!options.dryRun) remember(node, failure(node, options.vsn, err));
    throw err;
  } finally {
    slot.release();
  }
}

/** The node's one upgrade slot: RELX_BUSY when it is taken, phase "upgrading" while it is held. */
export function takeSlot(node: NodeState): { release(): void } {
  if (node.phase !== "up") {
    const why = node.phase === "upgrading" ? "another upgrade or downgrade is running" : "the node is stopping";
    throw failed(new RelxError("RELX_BUSY", why, { hint: "wait for it, then see `relx status`" }), false);
  }
  let done = (): void => undefined;
  node.upgradeDone = new Promise<void>((resolve) => (done = resolve));
  node.phase = "upgrading";
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      if (node.phase === "upgrading") node.phase = "up";
      node.upgradeDone = null;
      done();
    },
  };
}

/** Preflight and load (nothing touched). Throws failed(…, false). */
export async function begin(node: NodeState, options: UpgradeOptions): Promise<UpgradeRun> {
  const t0 = performance.now();
  try {
    const loaded = await preflight(node, options.direction, options.vsn);
    return { node, from: node.release!.manifest.vsn, ...loaded, options, t0, tLoaded: performance.now(), tPlan: 0 };
  } catch (err) {
    throw failed(err, false);
  }
}

/** An upgrade prepared up to its point of no return: suspended, code changed, new boot processes started. */
export interface Held {
  run: UpgradeRun;
  plan: LivePlan;
  script: Script;
  record: PendingReleaseState;
  started: host.ProcessRef[];
  rollback: host.Rollback;
  tSuspend: number;
  /** CPU time (user + system, all threads) at tSuspend: the pause's cost apart from waiting for a core. */
  cpuSuspend: number;
  tSuspended: number;
  tChanged: number;
  /** Set when the fused pass did it all, the commit included: finishUpgrade starts past the point of no return. */
  fused?: { tCommitted: number; cpu: number; triedAhead: number; triesMade: number };
}

/**
 * beforeUpgrade → prepare the record → snapshot → plan → script → suspend → change code → start.
 * Throws failed(…, false) before anything is touched, failed(…, true) after everything was put back.
 * `fuse` (an upgrade that commits at once, not a two-phase one that holds): when nothing starts or
 * stops, every affected process is idle and every codeChange synchronous, one synchronous pass
 * changes them all and commits the record (fusedPass), instead of suspend, change, commit, resume.
 */
export async function prepareUpgrade(run: UpgradeRun, fuse = false): Promise<Held> {
  const { node, target, options } = run;
  // The target's beforeUpgrade may refuse: nothing is touched yet.
  await runHook(run.targetApp, { ...hookRun(run), name: "beforeUpgrade" }).catch((err) => {
    throw failed(err, false);
  });
  // The slow half of recording the release (write + fsync) happens before anything is suspended,
  // while the codeChanges are tried ahead of the pause.
  const recording = prepareReleaseState(node.config.releasesDir, target.manifest.vsn, options.permanent ? "permanent" : "current");
  recording.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  // While the node still runs: the codeChanges tried (the pause then only swaps), or, where the
  // fused pass does not apply, copyState readied on a sample of the states; then the young
  // generation emptied of what that left, so the pass finds room (heap.ts).
  const ahead = fuse ? await tryAhead(run) : null;
  // Few or no tries kept (an async codeChange, a try that threw or returned a promise early): the
  // pass will copy and call most codeChanges itself, so it is readied as for no tries.
  // (Of the processes that have a codeChange: one with none is swapped as it is, tried or not.)
  const mostTried = ahead !== null && host.mostTried(ahead.kept, ahead.wanted);
  if (!mostTried) host.warmCopies();
  heap.atStart(host.processCount());
  let record: PendingReleaseState;
  try {
    record = await recording;
  } catch (err) {
    ahead?.drop();
    throw failed(err, false);
  }
  try {
    // Snapshot, plan and script with no await before the suspend, so no process starts unseen in between.
    run.tPlan = performance.now();
    // The tries' plan, when no process started or exited since it was made, is this plan: the
    // same processes, of the same servers (only an upgrade changes those, and this one holds the node's).
    const same = ahead !== null && host.newestPidId() === ahead.mark && host.processCount() === ahead.live;
    const { plan, mark } = same ? ahead : planLive(run);
    const script = same ? ahead.script : compileScript(plan, target, run.targetApp.processes);
    // On the tries' plan, tryAhead's warmUp found every codeChange synchronous and made each ctx.
    const allSync = same || host.warmUp(script.changes);
    // What a fused pass that gives up computed: the suspend path uses it, calling no codeChange twice.
    const computed = host.computedChanges();
    if (fuse && allSync && script.starts.length === 0 && script.stops.length === 0) {
      const held = fusedPass(run, plan, script, record, computed, mostTried, ahead === null ? 0 : ahead.made);
      if (held !== null) return held;
    }
    const cpuSuspend = cpuMs();
    const tSuspend = performance.now();
    await suspendScript(run, { plan, script, mark }).catch((err) => {
      node.log(`${describe(run)} failed: ${(err as Error).message}`);
      throw failed(err, false);
    });
    const tSuspended = performance.now();
    const held: Held = { run, plan, script, record, started: [], rollback: () => undefined, tSuspend, cpuSuspend, tSuspended, tChanged: 0 };
    await changeAndStart(held, computed).catch(async (err) => {
      await undo(held);
      node.log(`${describe(run)} rolled back: ${(err as Error).message}`);
      throw failed(err, true);
    });
    held.tChanged = performance.now();
    return held;
  } catch (err) {
    await record.abort();
    throw err;
  } finally {
    ahead?.drop();
  }
}

/** What tryAhead tried on (its plan and script, and the node's newest pid and process count when it planned), and the tries (host.Tries). */
interface Tried extends host.Tries {
  plan: LivePlan;
  mark: number;
  script: Script;
  live: number;
}

/**
 * The codeChanges of this upgrade tried ahead of its pause (host.computeAhead), on a plan made for
 * the purpose: the pass uses that plan too if no process started or exited since, else plans again,
 * and uses a try only for a process that ran nothing since. Null, nothing tried, when the fused
 * pass cannot apply (a process starts or stops) or the plan fails (the pass's own plan says why).
 */
async function tryAhead(run: UpgradeRun): Promise<Tried | null> {
  let planned: { plan: LivePlan; mark: number };
  let script: Script;
  const live = host.processCount();
  try {
    planned = planLive(run);
    script = compileScript(planned.plan, run.target, run.targetApp.processes);
  } catch {
    return null;
  }
  if (script.starts.length > 0 || script.stops.length > 0 || script.changedCount === 0) return null;
  // An async codeChange: the fused pass will not apply, so nothing is tried. Else every process's
  // ctx is made here, and the pass, on this plan, need not look again (prepareUpgrade).
  if (!host.warmUp(script.changes)) return null;
  try {
    const tries = await host.computeAhead(script.changes, run.options.extra, true);
    return { ...planned, script, live, ...tries };
  } catch {
    // An optimization: one that fails (it put back what it tried) leaves the pass to do it all.
    return null;
  }
}

/**
 * The fused pass: every codeChange, then the record's commit (one rename), then the rebinds, in
 * one synchronous stretch, so no message, timer or socket runs in between and nothing needs to be
 * suspended. Null, with nothing changed, when host.swapAll finds it does not apply (a process
 * busy or suspended, an async codeChange): the caller takes the suspend, change, resume path.
 */
function fusedPass(run: UpgradeRun, plan: LivePlan, script: Script, record: PendingReleaseState, computed: host.ComputedChanges, tried: boolean, triesMade: number): Held | null {
  const { node, options } = run;
  // Most codeChanges tried ahead: the pass allocates little (the undo log), and the collections
  // after the tries left it room.
  if (!tried) heap.beforePass(script.changedCount);
  const cpuSuspend = cpuMs();
  const tSuspend = performance.now();
  let rollback: host.Rollback | null;
  try {
    rollback = host.swapAll(script.changes, { extra: options.extra, timeoutMs: node.config.codeChangeTimeoutMs, computed }, true, tried);
  } catch (err) {
    node.log(`${describe(run)} rolled back: ${(err as Error).message}`);
    throw failed(err, true);
  }
  if (rollback === null) return null;
  const tChanged = performance.now();
  try {
    // Recorded before the point of no return, as in finishUpgrade: if it fails, everything goes back.
    record.commit();
  } catch (err) {
    rollback();
    node.log(`${describe(run)} rolled back: ${(err as Error).message}`);
    throw failed(err, true);
  }
  // Point of no return: the new code runs from the next message on.
  rebindAll(script);
  return { run, plan, script, record, started: [], rollback, tSuspend, cpuSuspend, tSuspended: tSuspend, tChanged, fused: { tCommitted: performance.now(), cpu: cpuMs(), triedAhead: host.triedAheadUsed(), triesMade } };
}

/** Commits a prepared upgrade: the record, then the point of no return, resume, stops, afterUpgrade. */
export async function finishUpgrade(held: Held): Promise<UpgradeResult> {
  const { run, plan, script, record } = held;
  const { node, target } = run;
  let pauseMs: number;
  let pauseCpu: number;
  let phases: string;
  if (held.fused !== undefined) {
    pauseMs = held.fused.tCommitted - held.tSuspend;
    pauseCpu = held.fused.cpu - held.cpuSuspend;
    phases = `one fused pass: change ${round(held.tChanged - held.tSuspend)}, record ${round(held.fused.tCommitted - held.tChanged)}; codeChange tried ahead for ${held.fused.triedAhead}${held.fused.triesMade > held.fused.triedAhead ? ` of ${held.fused.triesMade} tries` : ""}`;
  } else {
    try {
      // Recorded before the point of no return (one rename): if it fails, everything goes back.
      record.commit();
    } catch (err) {
      await undo(held);
      node.log(`${describe(run)} rolled back: ${(err as Error).message}`);
      throw failed(err, true);
    }
    const tCommitted = performance.now();
    // Point of no return: the new code runs.
    rebindAll(script);
    host.resumeAll(changedRefs(script));
    pauseMs = performance.now() - held.tSuspend;
    pauseCpu = cpuMs() - held.cpuSuspend;
    phases = `suspend ${round(held.tSuspended - held.tSuspend)}, change ${round(held.tChanged - held.tSuspended)}, record ${round(tCommitted - held.tChanged)}, resume ${round(performance.now() - tCommitted)}`;
  }
  await record.sync(); // durable, and the RELEASES lock given back
  node.release = target;
  for (const ref of script.stops) await stopOne(node, ref);
  node.app = run.targetApp;
  rebuildBoot(node, run.targetApp.processes, held.started);
  const tResult = performance.now();
  const at = new Date().toISOString();
  node.lastUpgrade = { from: plan.from, to: plan.to, pauseMs: round(pauseMs), at };
  const result = upgradeResult(plan, { pauseMs: round(pauseMs), durationMs: round(performance.now() - run.t0) });
  // Where the time outside the pause went: read (the target's release.json read and checked, its
  // files' checksums, its code loaded), boot spec (evaluated), prepare (on a big node two
  // scavenges, then beforeUpgrade, the record written), plan (the walk over the processes, plan,
  // script, warm-up, and for a big upgrade two more scavenges), after (the record synced, stops, the boot list), result (built; its `changed`, the
  // processes named, is written as it is sent, after this).
  const outside = `read ${round(run.tRead - run.t0)}, boot spec ${round(run.tLoaded - run.tRead)}, prepare ${round(run.tPlan - run.tLoaded)}, plan ${round(held.tSuspend - run.tPlan)}, after ${round(tResult - held.tSuspend - pauseMs)}, result ${round(performance.now() - tResult)}`;
  // The longest the node was held at one stretch, nothing else running: planning and, on the
  // fused path, the pass right after it (on the other path processes run again between them).
  const stretch = held.fused !== undefined ? held.fused.tCommitted - run.tPlan : held.tSuspend - run.tPlan;
  const stretchOf = held.fused !== undefined ? "plan and pause" : "plan";
  node.log(`${describe(run)}: ${script.changedCount} changed, ${result.started.length} started, ${result.stopped.length} stopped, pause ${round(pauseMs)} ms, cpu ${round(pauseCpu)} ms (${phases}), ${result.durationMs} ms in all (${outside}); held ${round(stretch)} ms at a stretch (${stretchOf})`);
  remember(node, { from: plan.from, to: plan.to, at, ok: true, pauseMs: result.pauseMs });
  // Still "upgrading" while it runs: a hook that asks for another upgrade gets RELX_BUSY, not a loop.
  await runHook(run.targetApp, { ...hookRun(run), name: "afterUpgrade" }).catch((err) => {
    node.log(`${describe(run)}: ${(err as Error).message}; nothing was rolled back`);
    result.hookError = toRelxError(err).toWire();
  });
  return result;
}

/** Puts a prepared upgrade back: started processes stopped, old code and state, names, resume, record dropped. */
export async function undo(held: Held): Promise<void> {
  const { run, script, record } = held;
  await record.abort();
  for (const ref of held.started.slice().reverse()) await stopOne(run.node, ref);
  held.started = [];
  held.rollback();
  held.rollback = () => undefined;
  for (const ref of script.stops) host.reclaimName(ref);
  host.resumeAll(suspendedRefs(script));
}

/**
 * Suspends every process the script changes or stops, under one deadline each round. A process
 * that was busy may have spawned others before it stopped: those are planned (their steps added
 * to the plan and the script) and suspended too, until no new process appears. On failure every
 * one is resumed.
 */
async function suspendScript(run: UpgradeRun, at: { plan: LivePlan; script: Script; mark: number }): Promise<void> {
  const { node, target } = run;
  const { plan, script } = at;
  let mark = at.mark;
  let batch = suspendedRefs(script);
  try {
    for (let round = 0; ; round++) {
      await host.suspendWithin(batch, node.config.suspendTimeoutMs);
      if (host.newestPidId() <= mark || round === LATE_ROUNDS) return;
      const late = planLive(run, mark);
      mark = late.mark;
      late.plan.steps = late.plan.steps.filter((s) => s.op !== "start");
      for (const s of late.plan.steps) plan.steps.push(s);
      const more = compileScript(late.plan, target, run.targetApp.processes);
      appendScript(script, more);
      batch = suspendedRefs(more);
    }
  } catch (err) {
    host.resumeAll(suspendedRefs(script));
    throw err;
  }
}

/** Every rebound process runs its definition from the target release from its next message. */
function rebindAll(script: Script): void {
  for (const { refs, def } of script.rebinds) for (const ref of refs) host.rebind(ref, def);
}

/** codeChange on every changed process (using what a fused pass that gave up `computed`), then the new boot processes; what it did is in `held`, for undo. */
async function changeAndStart(held: Held, computed: host.ComputedChanges): Promise<void> {
  const { run, script } = held;
  const { node, options } = run;
  for (const ref of script.stops) host.releaseName(ref);
  // Usually empty (no fused pass was tried, or it gave up before calling any codeChange): not looked up then.
  held.rollback = await host.changeCodeAll(script.changes, { extra: options.extra, timeoutMs: node.config.codeChangeTimeoutMs, computed: computed.size > 0 ? computed : undefined });
  // Inside the pause, so an init is bounded as a codeChange is: one that never settles rolls back.
  const initTimeoutMs = node.config.codeChangeTimeoutMs;
  for (const { spec, server } of script.starts) {
    held.started.push(await host.spawn({ server, args: spec.args, name: spec.name, restart: spec.restart, initTimeoutMs }));
  }
}

/** node.boot becomes the target's boot processes (kept, started, or down), in its boot-spec order. */
function rebuildBoot(node: NodeState, specs: readonly { name: string }[], started: host.ProcessRef[]): void {
  // The common case, nothing started or stopped and the same boot list: it stays as it is.
  if (started.length === 0 && specs.length === node.boot.size && sameNames(specs, node.boot)) return;
  const byName = new Map<string, host.ProcessRef>(node.boot);
  for (const ref of started) byName.set(host.nameOf(ref), ref);
  node.boot = new Map();
  for (const spec of specs) {
    const ref = byName.get(spec.name);
    if (ref) node.boot.set(spec.name, ref);
  }
  for (const name of node.down.keys()) if (!node.boot.has(name)) node.down.delete(name);
}

/** `boot` has exactly the names of `specs` (as many): compared in order first (no hash lookup), by name if the order differs. */
function sameNames(specs: readonly { name: string }[], boot: Map<string, unknown>): boolean {
  let i = 0;
  for (const name of boot.keys()) {
    if (specs[i]!.name !== name) return specs.every((s) => boot.has(s.name));
    i++;
  }
  return true;
}

function hookRun(run: UpgradeRun): { info: Record<string, unknown>; timeoutMs: number; log: (line: string) => void } {
  const info = { from: run.from, to: run.target.manifest.vsn, direction: run.options.direction };
  return { info, timeoutMs: run.node.config.hookTimeoutMs, log: run.node.log };
}

/** CPU time this process has used, in ms (user + system, every thread: GC helpers too). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function describe(run: UpgradeRun): string {
  return `${run.options.direction === "up" ? "upgrade" : "downgrade"} ${run.from} -> ${run.target.manifest.vsn}`;
}

/** A history entry for a failed upgrade. */
export function failure(node: NodeState, to: string, err: unknown): NodeState["upgrades"][number] {
  return { from: node.release!.manifest.vsn, to, at: new Date().toISOString(), ok: false, error: toRelxError(err).toWire() };
}

export function remember(node: NodeState, entry: NodeState["upgrades"][number]): void {
  node.upgrades.push(entry);
  if (node.upgrades.length > UPGRADE_HISTORY) node.upgrades.splice(0, node.upgrades.length - UPGRADE_HISTORY);
}
