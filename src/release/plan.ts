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
  const targetBoot = new Map(to.boot.processes.map((spec) => [spec.name, spec]));
  const steps: PlanStep<R>[] = [];
  const replaced = new Set<string>();
  for (const p of input.processes) {
    if (!fromServers.has(p.server)) continue;
    const { ref, name: process, server } = p;
    if (!toServers.has(server) || (p.boot && targetBoot.get(process)?.server !== server)) {
      steps.push({ op: "stop", ref, process, server, vsn: p.vsn });
      if (p.boot) replaced.add(process);
      continue;
    }
    const change = changed.get(server);
    if (change === undefined) {
      steps.push({ op: "rebind", ref, process, server, vsn: p.vsn ?? toServers.get(server)!.vsn });
      continue;
    }
    const fromVsn = p.vsn ?? change.fromVsn;
    const oldVsn = direction === "up" ? fromVsn : { down: change.toVsn };
    steps.push({ op: "change-code", ref, process, server, fromVsn, toVsn: change.toVsn, oldVsn });
  }
  const running = new Set(input.boot);
  for (const spec of to.boot.processes) {
    if (running.has(spec.name) && !replaced.has(spec.name)) continue;
    steps.push({ op: "start", process: spec.name, server: spec.server, restart: spec.restart });
  }
  return { direction, from: from.vsn, to: to.vsn, changed: [...changed.values()], added, removed, steps };
}

/** The steps of `plan` with the given op, typed. */
export function stepsOf<R, K extends StepOp>(plan: UpgradePlan<R>, op: K): Extract<PlanStep<R>, { op: K }>[] {
  return plan.steps.filter((s): s is Extract<PlanStep<R>, { op: K }> => s.op === op);
}

/** What moving from `from` to `to` does to `from`'s boot processes, as the build records it. */
export function recordPlan(from: PlanManifest, to: PlanManifest, direction: Direction): RecordedPlan {
  const vsnOf = new Map(from.servers.map((s) => [s.name, s.vsn]));
  const processes = from.boot.processes.map((spec) => ({ ref: null, name: spec.name, server: spec.server, vsn: vsnOf.get(spec.server) ?? null, boot: true }));
  const plan = planUpgrade({ direction, from, to, processes, boot: from.boot.processes.map((s) => s.name) });
  const steps = plan.steps.map((s): RecordedStep => {
    if (s.op === "start") return s;
    const { ref: _ref, ...rest } = s;
    return rest;
  });
  return { changed: plan.changed, added: plan.added, removed: plan.removed, steps };
}
