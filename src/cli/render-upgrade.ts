/** `relx upgrade` / `relx downgrade` results for people, dry runs included. */
import type { DryRunProcessResult, DryRunResult, UpgradeResult } from "../protocol/results.js";
import { renderColumns } from "./render-table.js";

export function renderUpgrade(op: "upgrade" | "downgrade", result: UpgradeResult | DryRunResult): string {
  const past = op === "upgrade" ? "upgraded" : "downgraded";
  const dryRun = "dryRun" in result;
  const head = dryRun
    ? `relx: dry run of ${op} ${result.from} → ${result.to}: ${result.ok ? "every codeChange succeeds" : "it would fail"}; nothing was changed`
    : `relx: ${past} ${result.from} → ${result.to} in ${result.durationMs} ms (paused ${result.pauseMs} ms)`;
  const lines = [head];
  const { changed } = result;
  if (changed.length > 0) {
    // A row per changed process (100,000 at a time): the cells read straight off the result.
    lines.push(renderColumns(["CHANGED", "SERVER", "VSN"], changed.length, (row, column) => {
      const c = changed[row]!;
      return column === 0 ? c.name : column === 1 ? c.server : `${c.fromVsn} → ${c.toVsn}`;
    }));
  }
  if (result.started.length > 0) lines.push(`started  ${result.started.join(", ")}`);
  if (result.stopped.length > 0) lines.push(`stopped  ${result.stopped.join(", ")}`);
  // The upgrade stands (an afterUpgrade failure rolls nothing back), but the hook's error is news.
  const hookError = "hookError" in result ? result.hookError : undefined;
  if (hookError !== undefined) {
    lines.push(`warning: ${hookError.message} (the ${op} stands: nothing was rolled back)`);
    if (hookError.hint !== undefined) lines.push(`hint: ${hookError.hint}`);
  }
  // A line each, not push(...lines): a dry run of 200,000 processes would overflow the call's arguments.
  if (dryRun) for (const entry of result.results) lines.push(renderDryRunEntry(entry));
  return lines.join("\n");
}

function renderDryRunEntry(entry: DryRunProcessResult): string {
  const who = `${entry.name} (${entry.server})`;
  if (entry.ok) return `  ok      ${who} → ${JSON.stringify(entry.state)}`;
  return `  FAILS   ${who}: ${entry.error?.code ?? "error"}: ${entry.error?.message ?? ""}`;
}
