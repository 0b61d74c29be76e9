/** The plan for the live node: a snapshot of its processes through the runtime's door, planned by release/plan.ts. */
import { planUpgrade, type UpgradePlan, type WalkProcesses } from "../../release/plan.js";
import type { ChangedProcess } from "../../protocol/results.js";
import * as host from "../../runtime/host.js";
import type { UpgradeRun } from "./options.js";

export type LivePlan = UpgradePlan<host.ProcessRef>;

/** The plan for every live process, or with `sinceId` for those started after that pid id; `mark` is the newest pid id seen. */
export function planLive(run: UpgradeRun, sinceId = 0): { plan: LivePlan; mark: number } {
  const { node, target } = run;
  const mark = host.newestPidId();
  // Boot processes usually run in boot-spec order, as node.boot lists them: each is matched
  // against the next entry of node.boot, by name (a hash lookup) only when it is not that one.
  const bootNames = [...node.boot.keys()];
  const bootRefs = [...node.boot.values()];
  let next = 0;
  const processes: WalkProcesses<host.ProcessRef> = (visit) =>
    host.eachProcess(sinceId, (ref, name, server, vsn) => {
      let boot = false;
      if (name !== null) {
        if (next < bootRefs.length && bootRefs[next] === ref && bootNames[next] === name) {
          boot = true;
          next++;
        } else boot = node.boot.get(name) === ref;
      }
      visit(ref, server, vsn, boot ? name : null);
    });
  // The boot specs as evaluated where the release runs (processes may depend on the config).
  const from = { ...node.release!.manifest, boot: { processes: node.app!.processes } };
  const to = { ...target.manifest, boot: { processes: run.targetApp.processes } };
  const plan = planUpgrade({ direction: run.options.direction, from, to, processes, boot: bootNames });
  return { plan, mark };
}

/** What the result reports of the plan: processes changed, started and stopped (named as processName names them); one pass over the steps. */
export function planSummary(plan: LivePlan): { changed: ChangedProcess[]; started: string[]; stopped: string[] } {
  const changed: ChangedProcess[] = [];
  const started: string[] = [];
  const stopped: string[] = [];
  for (const s of plan.steps) {
    if (s.op === "change-code") {
      const { server, fromVsn, toVsn } = s;
      for (const ref of s.refs) changed.push({ name: host.nameOf(ref), server, fromVsn, toVsn });
    } else if (s.op === "start") started.push(s.process);
    else if (s.op === "stop") stopped.push(host.nameOf(s.ref));
  }
  return { changed, started, stopped };
}
