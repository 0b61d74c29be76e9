/** `relx upgrade` / `relx downgrade` results for people, dry runs included. */
import type { DryRunProcessResult, DryRunResult, UpgradeResult } from "../protocol/results.js";
import { renderTable } from "./render-table.js";

export function renderUpgrade(op: "upgrade" | "downgrade", result: UpgradeResult | DryRunResult): string {
  const past = op === "upgrade" ? "upgraded" : "downgraded";
  const dryRun = "dryRun" in result;
  const head = dryRun
    ? `relx: dry run of ${op} ${result.from} → ${result.to}: ${result.ok ? "every codeChange succeeds" : "it would fail"}; nothing was changed`
    : `relx: ${past} ${result.from} → ${result.to} in ${result.durationMs} ms (paused ${result.pauseMs} ms)`;
  const lines = [head];
  if (result.changed.length > 0) {
    lines.push(renderTable(
      ["CHANGED", "SERVER", "VSN"],
      result.changed.map((c) => [c.name, c.server, `${c.fromVsn} → ${c.toVsn}`]),
    ));
  }
  if (result.started.length > 0) lines.push(`started  ${result.started.join(", ")}`);
  if (result.stopped.length > 0) lines.push(`stopped  ${result.stopped.join(", ")}`);
  if (dryRun) lines.push(...result.results.map(renderDryRunEntry));
  return lines.join("\n");
}

function renderDryRunEntry(entry: DryRunProcessResult): string {
  const who = `${entry.name} (${entry.server})`;
  if (entry.ok) return `  ok      ${who} → ${JSON.stringify(entry.state)}`;
  return `  FAILS   ${who}: ${entry.error?.code ?? "error"}: ${entry.error?.message ?? ""}`;
}
