/**
 * The process part of the `status` op: every process, or one page of those whose name matches a
 * filter, sorted on request. The counts cover every matching process, so a page of 50 out of
 * 100,000 still says how many run, are suspended or are down.
 */
import type { StatusFields, StatusSort } from "../protocol/ops.js";
import type { ProcessStatus, StatusResult } from "../protocol/results.js";

export type ProcessPage = Pick<StatusResult, "processes" | "count" | "counts">;

/** The page `fields` asks for, out of `all` (in spawn order). Without fields: all of them. */
export function pageProcesses(all: ProcessStatus[], fields: StatusFields): ProcessPage {
  const needle = fields.filter?.toLowerCase() ?? "";
  const matching = needle === "" ? all : all.filter((p) => p.name.toLowerCase().includes(needle));
  const counts = { running: 0, suspended: 0, down: 0 };
  for (const p of matching) counts[p.status]++;
  // `all` is the caller's fresh array, and `matching` is it or a copy: sorting in place is safe.
  const sorted = fields.sort === undefined ? matching : sortBy(matching, fields.sort, fields.desc === true);
  const offset = fields.offset ?? 0;
  const end = fields.limit === undefined ? undefined : offset + fields.limit;
  const processes = offset === 0 && end === undefined ? sorted : sorted.slice(offset, end);
  return { processes, count: matching.length, counts };
}

const NUMERIC = new Set<StatusSort>(["queue", "restarts", "handled"]);

function sortBy(list: ProcessStatus[], key: StatusSort, desc: boolean): ProcessStatus[] {
  const sign = desc ? -1 : 1;
  const compare = NUMERIC.has(key)
    ? (a: ProcessStatus, b: ProcessStatus) => ((a[key] as number) - (b[key] as number)) * sign
    : (a: ProcessStatus, b: ProcessStatus) => compareText(a[key] as string | null, b[key] as string | null) * sign;
  // Array.prototype.sort is stable: ties keep spawn order.
  return list.sort(compare);
}

function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
