/** `relx check-upgrade` for people: one line per checked process, then what was not checked, then the verdict. */
import type { CheckReport } from "../check/check-upgrade.js";
import type { CheckProcessResult } from "../check/types.js";

export function renderCheck(report: CheckReport): string {
  const { result, added, removed, vsns, unchanged } = report;
  const lines = result.results.map((r, i) => `${r.name} (${r.server} ${vsns[i]!.fromVsn} → ${vsns[i]!.toVsn}): ${outcome(r)}`);
  if (added.length > 0) lines.push(`servers added in ${result.to} (not checked): ${added.join(", ")}`);
  if (removed.length > 0) lines.push(`servers removed in ${result.to} (not checked): ${removed.join(", ")}`);
  if (unchanged > 0) lines.push(`${unchanged} process${unchanged === 1 ? "" : "es"} whose server did not change (not checked)`);
  lines.push(verdict(report));
  return lines.join("\n");
}

function outcome(r: CheckProcessResult): string {
  if (!r.up.ok) return `FAILED up: ${r.up.error?.message}`;
  if (r.down?.ok !== true) return `FAILED down: ${r.down?.error?.message}`;
  return r.roundTrip ? "ok, round trip equal" : "ok, but down(up(state)) differs from the state";
}

function verdict({ result }: CheckReport): string {
  const failed = result.results.filter((r) => !r.up.ok || r.down?.ok !== true).length;
  const differs = result.results.filter((r) => r.roundTrip === false).length;
  const n = result.results.length;
  const head = `check-upgrade ${result.from} → ${result.to}: ${n} process${n === 1 ? "" : "es"} checked`;
  if (failed > 0) return `${head}, ${failed} failed\nhint: fix codeChange (or init) for the processes named above, build a new release with \`relx build\`, and check it`;
  const note = differs > 0 ? `; ${differs} round trip${differs === 1 ? "" : "s"} differ (not a failure)` : "";
  return `${head}, all ok${note}`;
}
