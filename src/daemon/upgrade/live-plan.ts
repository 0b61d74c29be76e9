/** The plan for the live node: a snapshot of its processes through the runtime's door, planned by release/plan.ts. */
import { planUpgrade, stepsOf, type UpgradePlan } from "../../release/plan.js";
import type { ChangedProcess } from "../../protocol/results.js";
import * as host from "../../runtime/host.js";
import type { UpgradeRun } from "./options.js";

export type LivePlan = UpgradePlan<host.ProcessRef>;

/** The plan for every live process, or with `sinceId` for those started after that pid id; `mark` is the newest pid id seen. */
export function planLive(run: UpgradeRun, sinceId = 0): { plan: LivePlan; mark: number } {
  const { node, target } = run;
  const mark = host.newestPidId();
  const processes = host.snapshot(sinceId).map((p) => ({
    ref: p.ref,
    name: host.processName(p),
    server: p.server,
    vsn: p.vsn,
    boot: p.name !== null && node.boot.get(p.name) === p.ref,
  }));
  // The boot specs as evaluated where the release runs (processes may depend on the config).
  const from = { ...node.release!.manifest, boot: { processes: node.app!.processes } };
  const to = { ...target.manifest, boot: { processes: run.targetApp.processes } };
  const plan = planUpgrade({ direction: run.options.direction, from, to, processes, boot: [...node.boot.keys()] });
  return { plan, mark };
}

/** What the result reports of the plan: processes changed, started and stopped. */
export function planSummary(plan: LivePlan): { changed: ChangedProcess[]; started: string[]; stopped: string[] } {
  return {
    changed: stepsOf(plan, "change-code").map((s) => ({ name: s.process, server: s.server, fromVsn: s.fromVsn, toVsn: s.toVsn })),
    started: stepsOf(plan, "start").map((s) => s.process),
    stopped: stepsOf(plan, "stop").map((s) => s.process),
  };
}
