/** `relx status` for people: the release, the daemon, the last upgrade, then a table of processes. */
import type { StatusResult } from "../protocol/results.js";
import { formatDuration, renderTable } from "./render-table.js";

export function renderStatus(status: StatusResult): string {
  const permanent = status.permanent === null ? "none" : status.permanent;
  const last = status.lastUpgrade;
  const lines = [
    `release       ${status.name} ${status.vsn}`,
    `permanent     ${permanent}`,
    `daemon        pid ${status.daemon.pid}, up ${formatDuration(status.daemon.uptimeMs)}`,
    `last upgrade  ${last === null ? "none" : `${last.from} → ${last.to} at ${last.at} (paused ${last.pauseMs} ms)`}`,
    `releases      ${status.releases.map((r) => `${r.vsn} (${r.state})`).join(", ") || "none"}`,
    "",
  ];
  if (status.processes.length === 0) return [...lines, "no processes"].join("\n");
  const rows = status.processes.map((p) => [
    p.name,
    String(p.pid),
    p.server,
    p.vsn ?? "-",
    p.status,
    String(p.queue),
    String(p.restarts),
    String(p.handled),
  ]);
  const table = renderTable(["NAME", "PID", "SERVER", "VSN", "STATUS", "QUEUE", "RESTARTS", "HANDLED"], rows);
  const down = status.processes.filter((p) => p.status === "down");
  const notes = down.map((p) => `down: ${p.name}: ${p.error?.message ?? "gave up"} (bring it back with \`relx restart ${p.name}\`)`);
  return [lines.join("\n") + "\n" + table, ...notes].join("\n");
}
