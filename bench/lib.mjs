// Shared by the benchmarks: the seed's DemoServer, timing, and figure printing.
import { performance } from "node:perf_hooks";
import { defineServer } from "../dist/index.js";

export const DemoServerV1 = defineServer({
  name: "DemoServer",
  vsn: "1",
  init: (employee) => employee,
  handleCall(msg, _from, state) {
    return { reply: `${msg.add} added to ${state.name} `, state: { name: state.name, money: state.money + msg.add } };
  },
});

export const DemoServerV2 = defineServer({
  name: "DemoServer",
  vsn: "2",
  init: (employee) => employee,
  handleCall(msg, _from, state) {
    const next = { name: state.name, salary: state.salary + msg.add };
    return { reply: next, state: next };
  },
  codeChange(oldVsn, state) {
    if (oldVsn === "1") return { name: state.name, salary: state.money };
    return { name: state.name, money: state.salary };
  },
});

export const now = () => performance.now();

/** Prints one figure as a JSON line the runner collects: name, value, unit, target. */
export function figure(name, value, unit, target) {
  console.log(JSON.stringify({ figure: name, value: Math.round(value * 1000) / 1000, unit, target }));
}

/**
 * The upgrade and downgrade lines of a root's daemon log, each also shown on stderr (where each
 * pause went: not collected as a figure).
 */
export function upgradeLogLines(logText) {
  const lines = logText.split("\n").filter((line) => /grade .* pause/.test(line));
  for (const line of lines) console.error(`  ${line.slice(25)}`);
  return lines;
}

/**
 * The pause's CPU time from one upgrade log line, as a figure: what it cost apart from waiting for
 * a core on a busy machine. Named `<bench>: <upgrade|downgrade> pause CPU time, <n> processes
 * changed<kind> (<path>)`.
 */
export function pauseCpuFigure(line, bench, kind, target) {
  const m = /(upgrade|downgrade) \S+ -> \S+: (\d+) changed.* cpu ([\d.]+) ms \((one fused pass|suspend)/.exec(line);
  if (!m) return;
  const path = m[4] === "suspend" ? "suspend, change, resume" : "one fused pass";
  figure(`${bench}: ${m[1]} pause CPU time, ${Number(m[2]).toLocaleString("en")} processes changed${kind} (${path})`, Number(m[3]), "ms", target);
}
