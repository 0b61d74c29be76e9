/** The plan for the live node: a walk over its processes through the runtime's door, planned by release/plan.ts; and what an upgrade reports of it. */
import { planUpgrade, type UpgradePlan, type WalkProcesses } from "../../release/plan.js";
import { ENCODE_JSON, stringifyWith, type SelfEncoding } from "../../protocol/responses.js";
import type { ChangedProcess, UpgradeResult } from "../../protocol/results.js";
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

/** What the result reports of the plan: processes changed, started and stopped (named as processName names them). */
export function planSummary(plan: LivePlan): { changed: ChangedProcess[]; started: string[]; stopped: string[] } {
  return { changed: changedOf(plan), ...startedAndStopped(plan) };
}

function changedOf(plan: LivePlan): ChangedProcess[] {
  const changed: ChangedProcess[] = [];
  for (const s of plan.steps) {
    if (s.op !== "change-code") continue;
    const { server, fromVsn, toVsn } = s;
    for (const ref of s.refs) changed.push({ name: host.nameOf(ref), server, fromVsn, toVsn });
  }
  return changed;
}

function startedAndStopped(plan: LivePlan): { started: string[]; stopped: string[] } {
  const started: string[] = [];
  const stopped: string[] = [];
  for (const s of plan.steps) {
    if (s.op === "start") started.push(s.process);
    else if (s.op === "stop") stopped.push(host.nameOf(s.ref));
  }
  return { started, stopped };
}

/**
 * An upgrade's result (SPEC §6) for `plan`. Its `changed` (one entry per process: 100,000 at a
 * time) is made as objects only if it is read in the daemon; the socket writes it from the plan
 * instead (SelfEncoding, changedJson).
 */
export function upgradeResult(plan: LivePlan, times: { pauseMs: number; durationMs: number }): UpgradeResult {
  let changed: ChangedProcess[] | undefined;
  const { started, stopped } = startedAndStopped(plan);
  const result: UpgradeResult & SelfEncoding = {
    ok: true,
    from: plan.from,
    to: plan.to,
    get changed() {
      return (changed ??= changedOf(plan));
    },
    set changed(value) {
      changed = value;
    },
    started,
    stopped,
    pauseMs: times.pauseMs,
    durationMs: times.durationMs,
    [ENCODE_JSON]() {
      return stringifyWith(this, "changed", changed === undefined ? changedJson(plan) : JSON.stringify(changed));
    },
  };
  return result;
}

/** A name JSON.stringify writes other than as `"` + name + `"` has one of these (any surrogate, to be safe). */
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * JSON.stringify(changedOf(plan)), byte for byte, written a run at a time with native
 * joins rather than an object and a string per process: within a run every entry ends the same
 * (`,"server":…,"toVsn":…}`), so a stretch of processes named by their pid is the ids joined by
 * what lies between two of them, and a stretch of registered names that need no escaping is the
 * names joined likewise. Measured at 100,000 processes on the first upgrade after a boot, when
 * JavaScript written per entry runs cold: 50–65 ms against 130–160 for the objects stringified.
 */
function changedJson(plan: LivePlan): string {
  const parts: string[] = [];
  for (const s of plan.steps) {
    if (s.op !== "change-code") continue;
    const tail = `,"server":${JSON.stringify(s.server)},"fromVsn":${JSON.stringify(s.fromVsn)},"toVsn":${JSON.stringify(s.toVsn)}}`;
    const { refs } = s;
    for (let i = 0; i < refs.length; ) {
      // The longest stretch from i of processes named the same way: by their pid, or registered.
      if (host.registeredName(refs[i]!) === null) {
        const ids: number[] = [];
        for (; i < refs.length && host.registeredName(refs[i]!) === null; i++) ids.push(host.pidId(refs[i]!));
        const open = `{"name":"${host.PID_OPEN}`;
        const close = `${host.PID_CLOSE}"${tail}`;
        parts.push(open + ids.join(`${close},${open}`) + close);
        continue;
      }
      const names: string[] = [];
      for (let name: string | null; i < refs.length && (name = host.registeredName(refs[i]!)) !== null; i++) names.push(name);
      if (!ESCAPED.test(names.join(""))) parts.push(`{"name":"${names.join(`"${tail},{"name":"`)}"${tail}`);
      else parts.push(names.map((name) => `{"name":${JSON.stringify(name)}${tail}`).join(","));
    }
  }
  return `[${parts.join(",")}]`;
}
