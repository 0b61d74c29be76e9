/**
 * planUpgrade: pure. A snapshot of the live processes and two manifests in, the upgrade plan out,
 * as data: OTP's relup, which a stateless runner evaluates (daemon/upgrade/upgrade.ts). The build
 * records the same function's output for the boot processes in release.json (recordPlan).
 *
 * | a process (by its server and, for a boot process, its boot-spec entry) | step          |
 * |------------------------------------------------------------------------|---------------|
 * | its server's code (sha256) or vsn differs between the manifests        | change-code   |
 * | its server is the same in both                                         | rebind        |
 * | its server is gone, or its boot entry is gone or names another server  | stop          |
 * | a boot entry of the target the node does not run (or one replaced)     | start         |
 * | its server is in neither manifest (defined at run time)                | (left alone)  |
 */
import type { OldVsn } from "../runtime/types.js";
import type { PlanChange, PlanInput, PlanStep, RecordedPlan, RecordedStep, StepOp, Direction, PlanManifest, UpgradePlan } from "./plan-types.js";

export type * from "./plan-types.js";

export function planUpgrade<R>(input: PlanInput<R>): UpgradePlan<R> {
  const { from, to, direction } = input;
  const fromServers = new Map(from.servers.map((s) => [s.name, s]));
  const toServers = new Map(to.servers.map((s) => [s.name, s]));
  const changed = new Map<string, PlanChange>();
  const removed: string[] = [];
  for (const [name, old] of fromServers) {
    const next = toServers.get(name);
    if (!next) removed.push(name);
    else if (next.sha256 !== old.sha256 || next.vsn !== old.vsn) changed.set(name, { name, fromVsn: old.vsn, toVsn: next.vsn });
  }
  const added = [...toServers.keys()].filter((name) => !fromServers.has(name));
  // The target's boot entry of each boot process: found by position while the node's boot
  // processes come in the target's order (the common case: no hash lookup at 100,000), by name
  // from the first one that does not. `seen` says what the node has of each entry: KEPT (it runs
  // it with the same server, or has it down) or REPLACED (its process stops).
  const targetBoot = to.boot.processes;
  let bootIndex: Map<string, number> | null = null;
  let next = 0;
  const entryOf = (name: string): number | undefined => {
    if (bootIndex === null && next < targetBoot.length && targetBoot[next]!.name === name) return next++;
    if (bootIndex === null) {
      bootIndex = new Map();
      for (let i = 0; i < targetBoot.length; i++) bootIndex.set(targetBoot[i]!.name, i);
    }
    return bootIndex.get(name);
  };
  const seen = new Uint8Array(targetBoot.length);
  const steps: PlanStep<R>[] = [];
  let liveBoot = 0;
  // A downgrade's processes of one server share one { down } (frozen: each codeChange receives it).
  const downVsn = new Map<string, { down: string }>();
  // What the manifests say of a server, looked up once for each run of processes of one server
  // (100,000 boot processes of one server: one lookup, not three each).
  let server: string | undefined;
  let inFrom = false;
  let inTo = false;
  let change: PlanChange | undefined;
  // The last step pushed: a process that belongs to it joins its run.
  let last: PlanStep<R> | undefined;
  const visit = (ref: R, processServer: string, vsn: string | null, bootName: string | null): void => {
    if (processServer !== server) {
      server = processServer;
      inFrom = fromServers.has(server);
      inTo = toServers.has(server);
      change = changed.get(server);
    }
    if (!inFrom) return;
    let at: number | undefined;
    if (bootName !== null) {
      liveBoot++;
      // entryOf's common case inline: the next entry of the target's boot list.
      at = bootIndex === null && next < targetBoot.length && targetBoot[next]!.name === bootName ? next++ : entryOf(bootName);
    }
    if (!inTo || (bootName !== null && (at === undefined || targetBoot[at]!.server !== server))) {
      steps.push((last = { op: "stop", ref, server, vsn }));
      if (at !== undefined) seen[at] = REPLACED;
      return;
    }
    if (at !== undefined) seen[at] = KEPT;
    if (change === undefined) {
      const to = vsn ?? toServers.get(server)!.vsn;
      if (last?.op === "rebind" && last.server === server && last.vsn === to) last.refs.push(ref);
      else steps.push((last = { op: "rebind", refs: [ref], server, vsn: to }));
      return;
    }
    const fromVsn = vsn ?? change.fromVsn;
    let oldVsn: OldVsn = fromVsn;
    if (direction === "down") {
      let down = downVsn.get(server);
      if (down === undefined) downVsn.set(server, (down = Object.freeze({ down: change.toVsn })));
      oldVsn = down;
    }
    if (last?.op === "change-code" && last.server === server && last.fromVsn === fromVsn && last.oldVsn === oldVsn) last.refs.push(ref);
    else steps.push((last = { op: "change-code", refs: [ref], server, fromVsn, toVsn: change.toVsn, oldVsn }));
  };
  const { processes } = input;
  if (typeof processes === "function") processes(visit);
  else for (const p of processes) visit(p.ref, p.server, p.vsn, p.boot ? p.name : null);
  // Boot processes the node has but does not run (they gave up) are not started again.
  if (liveBoot !== input.boot.length) {
    for (const name of input.boot) {
      const at = entryOf(name);
      if (at !== undefined && seen[at] === UNSEEN) seen[at] = KEPT;
    }
  }
  for (let i = 0; i < targetBoot.length; i++) {
    if (seen[i] === KEPT) continue;
    const spec = targetBoot[i]!;
    steps.push({ op: "start", process: spec.name, server: spec.server, restart: spec.restart });
  }
  return { direction, from: from.vsn, to: to.vsn, changed: [...changed.values()], added, removed, steps };
}

const UNSEEN = 0;
const KEPT = 1;
const REPLACED = 2;

/** The steps of `plan` with the given op, typed. */
export function stepsOf<R, K extends StepOp>(plan: UpgradePlan<R>, op: K): Extract<PlanStep<R>, { op: K }>[] {
  return plan.steps.filter((s): s is Extract<PlanStep<R>, { op: K }> => s.op === op);
}

/**
 * What moving from `from` to `to` does to `from`'s boot processes, as the build records it: the
 * change-code and rebind steps of the processes that share a server and vsns as one step with the
 * list of their `processes` (100,000 boot processes of one server make one step, not 100,000),
 * in the order their first process comes; stop and start steps one per process.
 */
export function recordPlan(from: PlanManifest, to: PlanManifest, direction: Direction): RecordedPlan {
  const vsnOf = new Map(from.servers.map((s) => [s.name, s.vsn]));
  const processes = from.boot.processes.map((spec) => ({ ref: spec.name, name: spec.name, server: spec.server, vsn: vsnOf.get(spec.server) ?? null, boot: true }));
  const plan = planUpgrade({ direction, from, to, processes, boot: from.boot.processes.map((s) => s.name) });
  const groups = new Map<string, { processes: string[] }>();
  const steps: RecordedStep[] = [];
  for (const s of plan.steps) {
    if (s.op === "start") {
      steps.push(s);
      continue;
    }
    if (s.op === "stop") {
      steps.push({ op: "stop", process: s.ref, server: s.server, vsn: s.vsn });
      continue;
    }
    const key = JSON.stringify(s.op === "rebind" ? [s.op, s.server, s.vsn] : [s.op, s.server, s.fromVsn, s.toVsn, s.oldVsn]);
    const group = groups.get(key);
    if (group !== undefined) {
      for (const name of s.refs) group.processes.push(name);
      continue;
    }
    const step: RecordedStep = s.op === "rebind"
      ? { op: "rebind", processes: [...s.refs], server: s.server, vsn: s.vsn }
      : { op: "change-code", processes: [...s.refs], server: s.server, fromVsn: s.fromVsn, toVsn: s.toVsn, oldVsn: s.oldVsn };
    groups.set(key, step);
    steps.push(step);
  }
  return { changed: plan.changed, added: plan.added, removed: plan.removed, steps };
}
