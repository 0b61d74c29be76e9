/** `relx state --all` for people: a table of the processes, each state as one line of JSON. */
import type { StatesResult } from "../protocol/results.js";
import { renderTable } from "./render-table.js";

export function renderStates(result: StatesResult): string {
  if (result.processes.length === 0) return "no processes";
  const rows = result.processes.map((p) => [p.name ?? "-", p.pid, p.server, p.vsn ?? "-", JSON.stringify(p.state)]);
  return renderTable(["NAME", "PID", "SERVER", "VSN", "STATE"], rows);
}
