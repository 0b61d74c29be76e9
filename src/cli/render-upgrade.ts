/** `relx upgrade` / `relx downgrade` results for people, dry runs included. */
import type { UpgradeResult } from "../protocol/results.js";
import { renderTable } from "./render-table.js";

const KNOWN = new Set(["ok", "from", "to", "changed", "started", "stopped", "pauseMs", "durationMs", "dryRun", "results"]);

/** A dry run's per-process codeChange outcome. */
interface DryRunEntry {
  name: string;
  server?: string;
  ok: boolean;
  state?: unknown;
  error?: { code: string; message: string };
}

export function renderUpgrade(op: "upgrade" | "downgrade", result: UpgradeResult, dryRun: boolean): string {
  const past = op === "upgrade" ? "upgraded" : "downgraded";
  const head = dryRun
    ? `relx: dry run of ${op} ${result.from} → ${result.to}: ${result.ok ? "every codeChange succeeds" : "it would fail"}; nothing was changed`
    : `relx: ${result.ok ? past : `${op} failed`} ${result.from} → ${result.to} in ${result.durationMs} ms (paused ${result.pauseMs} ms)`;
  const lines = [head];
  const changed = result.changed ?? [];
  if (changed.length > 0) {
    lines.push(renderTable(
      ["CHANGED", "SERVER", "VSN"],
      changed.map((c) => [c.name, c.server, `${c.fromVsn} → ${c.toVsn}`]),
    ));
  }
  if ((result.started ?? []).length > 0) lines.push(`started  ${result.started.join(", ")}`);
  if ((result.stopped ?? []).length > 0) lines.push(`stopped  ${result.stopped.join(", ")}`);
  if (Array.isArray(result.results)) lines.push(...(result.results as DryRunEntry[]).map(renderDryRunEntry));
  // Anything else the daemon adds is shown as JSON rather than hidden.
  for (const [key, value] of Object.entries(result)) {
    if (!KNOWN.has(key)) lines.push(`${key}: ${JSON.stringify(value, null, 2)}`);
  }
  return lines.join("\n");
}

function renderDryRunEntry(entry: DryRunEntry): string {
  const who = entry.server === undefined ? entry.name : `${entry.name} (${entry.server})`;
  if (entry.ok) return `  ok      ${who} → ${JSON.stringify(entry.state)}`;
  return `  FAILS   ${who}: ${entry.error?.code ?? "error"}: ${entry.error?.message ?? ""}`;
}
