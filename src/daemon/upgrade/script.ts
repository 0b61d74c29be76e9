/**
 * The plan made ready to evaluate, as OTP turns a relup into a script of instructions: flat
 * arrays of processes and definitions, built before anything is suspended, so that the pause
 * itself does no planning, no lookups by server name and no allocation per process.
 */
import type { BootProcess } from "../../release/manifest.js";
import * as host from "../../runtime/host.js";
import { serverOf, type LoadedRelease } from "../../release/load-release.js";
import type { LivePlan } from "./live-plan.js";

export interface Script {
  /** Suspended before anything changes: the changed and the stopped processes. */
  suspend: host.ProcessRef[];
  changes: host.CodeChange[];
  /** The processes of `changes`, resumed at the point of no return. */
  changed: host.ProcessRef[];
  /** Stopped after the resume; their names are released while the upgrade runs. */
  stops: host.ProcessRef[];
  rebinds: { ref: host.ProcessRef; def: host.ServerDef }[];
  /** New boot processes, with their evaluated args. */
  starts: { spec: BootProcess; server: host.ServerDef }[];
}

/** Throws RELX_BAD_RELEASE when the target lacks a server the plan needs. */
export function compileScript(plan: LivePlan, target: LoadedRelease, boot: BootProcess[]): Script {
  const script: Script = { suspend: [], changes: [], changed: [], stops: [], rebinds: [], starts: [] };
  addSteps(script, plan, target, boot);
  return script;
}

/** Adds the steps of `plan` (a plan for processes spawned late, say) to `script`; returns what to suspend of them. */
export function addSteps(script: Script, plan: LivePlan, target: LoadedRelease, boot: BootProcess[]): host.ProcessRef[] {
  const defs = new Map<string, host.ServerDef>();
  // Steps come in runs of one server (100,000 boot processes of one: one lookup, not 100,000).
  let lastServer: string | undefined;
  let lastDef: host.ServerDef | undefined;
  const def = (server: string): host.ServerDef => {
    if (server === lastServer) return lastDef!;
    let d = defs.get(server);
    if (d === undefined) defs.set(server, (d = serverOf(target, server)));
    lastServer = server;
    lastDef = d;
    return d;
  };
  const suspend: host.ProcessRef[] = [];
  let specs: Map<string, BootProcess> | null = null; // the target's boot entries by name, once a step starts one
  for (const s of plan.steps) {
    switch (s.op) {
      case "change-code":
        script.changes.push({ ref: s.ref, def: def(s.server), oldVsn: s.oldVsn });
        script.changed.push(s.ref);
        suspend.push(s.ref);
        break;
      case "stop":
        script.stops.push(s.ref);
        suspend.push(s.ref);
        break;
      case "rebind":
        script.rebinds.push({ ref: s.ref, def: def(s.server) });
        break;
      case "start":
        specs ??= new Map(boot.map((p) => [p.name, p]));
        script.starts.push({ spec: specs.get(s.process)!, server: def(s.server) });
        break;
    }
  }
  for (const ref of suspend) script.suspend.push(ref);
  return suspend;
}
