/** `relx status` for people: the release, the daemon, the last upgrade, then a table of processes. */
import type { StatusResult } from "../protocol/results.js";
import { formatDuration, renderTable } from "./render-table.js";

/** Above this many processes the human table shows only the first page (`relx status --all`: all). */
export const SUMMARY_ABOVE = 1000;
export const FIRST_PAGE = 100;

export interface RenderStatusOptions {
  /** Show the first FIRST_PAGE processes and say how to see the rest. */
  firstPage?: boolean;
}

export function renderStatus(status: StatusResult, options: RenderStatusOptions = {}): string {
  const permanent = status.permanent === null ? "none" : status.permanent;
  const last = status.lastUpgrade;
  const lines = [
    `release       ${status.name} ${status.vsn}`,
    `permanent     ${permanent}`,
    `daemon        pid ${status.daemon.pid}, up ${formatDuration(status.daemon.uptimeMs)}`,
    `last upgrade  ${last === null ? "none" : `${last.from} → ${last.to} at ${last.at} (paused ${last.pauseMs} ms)`}`,
    `releases      ${status.releases.map((r) => `${r.vsn} (${r.state})`).join(", ") || "none"}`,
    `processes     ${processSummary(status)}`,
    "",
  ];
  if (status.processes.length === 0) return [...lines, "no processes"].join("\n");
  const shown = options.firstPage === true ? status.processes.slice(0, FIRST_PAGE) : status.processes;
  const rows = shown.map((p) => [
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
  const more = status.count - shown.length;
  const rest = options.firstPage === true && more > 0
    ? [`… and ${grouped(more)} more: \`relx status --all\` lists every process, \`--filter <text>\` or \`--offset <n> --limit <n>\` a page`]
    : [];
  return [lines.join("\n") + "\n" + table, ...notes, ...rest].join("\n");
}

function processSummary(status: StatusResult): string {
  const { running, suspended, down } = status.counts;
  return `${grouped(status.count)} (${grouped(running)} running, ${suspended} suspended, ${down} down)`;
}

/**
 * 1234567 → "1,234,567", as `toLocaleString("en")` prints a whole number. Not toLocaleString
 * itself: its first call in a process loads ICU's locale data, 60–100 ms on this machine, more
 * than all the rest of `relx status` costs. Anything but a safe integer of 0 or more still goes to it.
 */
export function grouped(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || Object.is(n, -0)) return n.toLocaleString("en");
  return String(n).replace(/\B(?=(\d{3})+$)/g, ",");
}
