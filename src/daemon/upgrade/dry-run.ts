/**
 * --dry-run (SPEC §7): suspend as a real upgrade would, run every codeChange on a copy of the live
 * state, resume, and report the plan and each result. No code, state or release record changes.
 * New boot processes are reported, not started (their init could have effects).
 */
import { performance } from "node:perf_hooks";
import { toRelxError } from "../../errors.js";
import type { DryRunProcessResult, DryRunResult } from "../../protocol/results.js";
import { stepsOf } from "../../release/plan.js";
import * as host from "../../runtime/host.js";
import { serverOf } from "../../release/load-release.js";
import { planLive, planSummary } from "./live-plan.js";
import type { UpgradeRun } from "./options.js";
import { failed, round } from "./result.js";

export async function dryRunUpgrade(run: UpgradeRun): Promise<DryRunResult> {
  const { node, target, options } = run;
  const { plan } = planLive(run);
  const changes = stepsOf(plan, "change-code");
  const refs = changes.flatMap((s) => s.refs);
  const tSuspend = performance.now();
  try {
    await host.suspendWithin(refs, node.config.suspendTimeoutMs);
  } catch (err) {
    throw failed(err, false);
  }
  const results: DryRunProcessResult[] = [];
  try {
    for (const { refs: run, server, oldVsn } of changes) {
      for (const ref of run) {
        const name = host.nameOf(ref);
        try {
          const state = await host.tryCodeChange(ref, serverOf(target, server), oldVsn, { extra: options.extra, timeoutMs: node.config.codeChangeTimeoutMs });
          results.push({ name, server, ok: true, state: host.renderValue(state) });
        } catch (err) {
          results.push({ name, server, ok: false, error: toRelxError(err, "RELX_CODE_CHANGE_FAILED").toWire() });
        }
      }
    }
  } finally {
    host.resumeAll(refs);
  }
  const failures = results.filter((r) => !r.ok);
  const first = failures[0];
  return {
    ok: first === undefined,
    dryRun: true,
    ...(first === undefined ? {} : {
      error: {
        code: first.error!.code,
        message: `${failures.length} of ${results.length} codeChanges would fail; the first: ${first.error!.message}`,
        process: first.name,
      },
    }),
    from: plan.from,
    to: plan.to,
    ...planSummary(plan),
    results,
    hooks: (["beforeUpgrade", "afterUpgrade"] as const).filter((h) => run.targetApp.hooks[h] !== undefined),
    pauseMs: round(performance.now() - tSuspend),
    durationMs: round(performance.now() - run.t0),
  };
}
