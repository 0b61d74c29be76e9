/**
 * --dry-run (SPEC §7): suspend as a real upgrade would, run every codeChange on a copy of the live
 * state, resume, and report the plan and each result. No code, state or release record changes.
 * New boot processes are reported, not started (their init could have effects).
 */
import { performance } from "node:perf_hooks";
import { toRelxError, type WireError } from "../errors.js";
import { resumeAll } from "../runtime/bulk.js";
import { computeCodeChange } from "../runtime/code-change.js";
import type { LoadedRelease } from "./load-release.js";
import type { NodeState } from "./release-node.js";
import { suspendWithin } from "./suspend-within.js";
import type { UpgradeOptions } from "./upgrade.js";
import { failed, round } from "./upgrade-result.js";
import type { UpgradePlan } from "./upgrade-plan.js";

export interface DryRunProcessResult {
  name: string;
  server: string;
  ok: boolean;
  state?: unknown;
  error?: WireError;
}

export async function dryRunUpgrade(node: NodeState, target: LoadedRelease, plan: UpgradePlan, options: UpgradeOptions, t0: number): Promise<unknown> {
  const procs = plan.items.map((i) => i.process);
  const tSuspend = performance.now();
  try {
    await suspendWithin(procs, node.config.suspendTimeoutMs);
  } catch (err) {
    throw failed(err, false);
  }
  const results: DryRunProcessResult[] = [];
  try {
    for (const [i, item] of plan.items.entries()) {
      const { name, server } = plan.changed[i]!;
      try {
        const copy = structuredClone(item.process.state);
        const state = await computeCodeChange(item.process, item.def, item.oldVsn, options.extra, copy, { timeoutMs: node.config.codeChangeTimeoutMs });
        results.push({ name, server, ok: true, state });
      } catch (err) {
        results.push({ name, server, ok: false, error: toRelxError(err, "RELX_CODE_CHANGE_FAILED").toWire() });
      }
    }
  } finally {
    resumeAll(procs);
  }
  return {
    ok: results.every((r) => r.ok),
    dryRun: true,
    from: node.release!.manifest.vsn,
    to: target.manifest.vsn,
    changed: plan.changed,
    started: plan.start.map((s) => s.name),
    stopped: plan.stop.map((p) => p.name ?? String(p.pid)),
    results,
    pauseMs: round(performance.now() - tSuspend),
    durationMs: round(performance.now() - t0),
  };
}
