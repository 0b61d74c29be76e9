/**
 * plan: pure. Two manifests in, what an upgrade (or downgrade) from one to the other changes out.
 * Used by the build (to record plans in release.json) and by the daemon (which recomputes the plan
 * from both manifests, so a plan never depends on which releases happened to be present at build).
 */
import type { Manifest, ReleasePlan } from "./manifest.js";

type PlanInput = Pick<Manifest, "servers" | "boot">;

export function planRelease(from: PlanInput, to: PlanInput): ReleasePlan {
  const fromServers = new Map(from.servers.map((s) => [s.name, s]));
  const toServers = new Map(to.servers.map((s) => [s.name, s]));
  const changed: ReleasePlan["changed"] = [];
  const removed: string[] = [];
  for (const [name, old] of fromServers) {
    const next = toServers.get(name);
    if (!next) removed.push(name);
    else if (next.sha256 !== old.sha256 || next.vsn !== old.vsn) {
      changed.push({ name, fromVsn: old.vsn, toVsn: next.vsn });
    }
  }
  const added = [...toServers.keys()].filter((name) => !fromServers.has(name));
  const fromProcs = new Set(from.boot.processes.map((p) => p.name));
  const toProcs = new Set(to.boot.processes.map((p) => p.name));
  return {
    changed,
    added,
    removed,
    startProcesses: to.boot.processes.filter((p) => !fromProcs.has(p.name)).map((p) => p.name),
    stopProcesses: from.boot.processes.filter((p) => !toProcs.has(p.name)).map((p) => p.name),
  };
}
