/**
 * Which live processes an upgrade touches (SPEC §7 step 3), from both manifests and the registry:
 * processes whose server changed (file hash or vsn) get codeChange; processes of servers gone, or
 * boot processes gone from (or given another server in) the target boot spec, are stopped; boot
 * processes new in the target are started; every other process is rebound to the target's copy
 * of the same code, so nothing keeps the old release's code alive.
 */
import { planRelease } from "../release/plan.js";
import type { BootProcess } from "../release/manifest.js";
import type { CodeChangeItem } from "../runtime/bulk.js";
import type { Process } from "../runtime/process.js";
import { lastPidId, processes } from "../runtime/registry.js";
import type { ServerDef } from "../runtime/types.js";
import type { LoadedRelease } from "./load-release.js";
import type { Direction } from "./upgrade-preflight.js";

import type { ChangedProcess } from "../protocol/results.js";

export interface UpgradePlan {
  /** The newest pid id when the plan was made: later processes are not in it. */
  mark: number;
  items: CodeChangeItem[];
  changed: ChangedProcess[];
  stop: Process[];
  start: BootProcess[];
  rebind: { process: Process; def: ServerDef }[];
}

/** The plan for every live process, or with `sinceId` only for those started after that pid id. */
export function planUpgrade(boot: Map<string, Process>, from: LoadedRelease, to: LoadedRelease, direction: Direction, sinceId = 0): UpgradePlan {
  const release = planRelease(from.manifest, to.manifest);
  const changedServers = new Map(release.changed.map((c) => [c.name, c]));
  const removed = new Set(release.removed);
  const targetBoot = new Map(to.manifest.boot.processes.map((spec) => [spec.name, spec]));
  const plan: UpgradePlan = { mark: lastPidId(), items: [], changed: [], stop: [], start: [], rebind: [] };
  const replacedBoot = new Set<string>();
  for (const p of processes()) {
    if (p.pid.id <= sinceId) continue;
    const server = p.def.name;
    const isBoot = p.name !== null && boot.get(p.name) === p;
    const spec = isBoot ? targetBoot.get(p.name!) : undefined;
    if (removed.has(server) || (isBoot && spec?.server !== server)) {
      plan.stop.push(p);
      if (isBoot) replacedBoot.add(p.name!);
      continue;
    }
    const def = to.servers.get(server);
    if (def === undefined) continue; // not a release server (defined inline at run time): left as it is
    const change = changedServers.get(server);
    if (change === undefined) {
      plan.rebind.push({ process: p, def });
      continue;
    }
    const fromVsn = p.def.vsn ?? change.fromVsn;
    plan.items.push({ process: p, def, oldVsn: direction === "up" ? fromVsn : { down: change.toVsn } });
    plan.changed.push({ name: p.name ?? String(p.pid), server, fromVsn, toVsn: change.toVsn });
  }
  plan.start = to.manifest.boot.processes.filter((spec) => !boot.has(spec.name) || replacedBoot.has(spec.name));
  return plan;
}

/** Adds `late` (a plan for processes started after `plan` was made) to `plan`. */
export function mergePlan(plan: UpgradePlan, late: UpgradePlan): void {
  plan.mark = late.mark;
  plan.items.push(...late.items);
  plan.changed.push(...late.changed);
  plan.stop.push(...late.stop);
  plan.rebind.push(...late.rebind);
}
