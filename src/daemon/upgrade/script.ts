/**
 * The plan made ready to evaluate, as OTP turns a relup into a script of instructions: the plan's
 * runs of processes, each with the definition it changes to, built before anything is suspended,
 * so that the pause itself does no planning, no lookups by server name and no allocation per process.
 */
import type { BootProcess } from "../../release/manifest.js";
import * as host from "../../runtime/host.js";
import { serverOf, type LoadedRelease } from "../../release/load-release.js";
import type { LivePlan } from "./live-plan.js";

export interface Script {
  /** Runs of processes of one server and vsn, each with its new definition: no object per process. */
  changes: host.CodeChange[];
  /** How many processes `changes` holds. */
  changedCount: number;
  /** Stopped after the resume; their names are released while the upgrade runs. */
  stops: host.ProcessRef[];
  rebinds: { refs: host.ProcessRef[]; def: host.ServerDef }[];
  /** New boot processes, with their evaluated args. */
  starts: { spec: BootProcess; server: host.ServerDef }[];
}

/** Throws RELX_BAD_RELEASE when the target lacks a server the plan needs. */
export function compileScript(plan: LivePlan, target: LoadedRelease, boot: BootProcess[]): Script {
  const script: Script = { changes: [], changedCount: 0, stops: [], rebinds: [], starts: [] };
  const defs = new Map<string, host.ServerDef>();
  const def = (server: string): host.ServerDef => {
    let d = defs.get(server);
    if (d === undefined) defs.set(server, (d = serverOf(target, server)));
    return d;
  };
  let specs: Map<string, BootProcess> | null = null; // the target's boot entries by name, once a step starts one
  for (const s of plan.steps) {
    switch (s.op) {
      case "change-code":
        script.changes.push({ refs: s.refs, def: def(s.server), oldVsn: s.oldVsn });
        script.changedCount += s.refs.length;
        break;
      case "stop":
        script.stops.push(s.ref);
        break;
      case "rebind":
        script.rebinds.push({ refs: s.refs, def: def(s.server) });
        break;
      case "start":
        specs ??= new Map(boot.map((p) => [p.name, p]));
        script.starts.push({ spec: specs.get(s.process)!, server: def(s.server) });
        break;
    }
  }
  return script;
}

/** `more` (the script of processes spawned late, say) added to the end of `script`. */
export function appendScript(script: Script, more: Script): void {
  // One push each, not push(...list): a list of 100,000 would overflow the call's arguments.
  for (const c of more.changes) script.changes.push(c);
  script.changedCount += more.changedCount;
  for (const ref of more.stops) script.stops.push(ref);
  for (const r of more.rebinds) script.rebinds.push(r);
  for (const s of more.starts) script.starts.push(s);
}

/** The processes the script changes: resumed at the point of no return. */
export function changedRefs(script: Script): host.ProcessRef[] {
  return script.changes.flatMap((c) => c.refs);
}

/** What is suspended before anything changes: the changed and the stopped processes. */
export function suspendedRefs(script: Script): host.ProcessRef[] {
  return [...changedRefs(script), ...script.stops];
}
