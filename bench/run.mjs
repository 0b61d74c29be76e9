#!/usr/bin/env node
// `npm run bench`: runs every benchmark 3 times, each in a fresh Node process, and prints the
// median of each figure next to its target. Figures are printed, never asserted.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const only = process.argv.slice(2);

const benches = [
  { file: "otp.mjs" },
  { file: "runtime-call.mjs" },
  { file: "runtime-attribution.mjs" },
  { file: "runtime-memory.mjs", node: ["--expose-gc", "--max-old-space-size=4096"] },
  { file: "runtime-upgrade.mjs", node: ["--max-old-space-size=4096"] },
  { file: "runtime-chat.mjs" },
  { file: "rollback-copy.mjs" },
  { file: "build.mjs" },
  { file: "daemon-cli.mjs" },
  { file: "daemon-log.mjs" },
  { file: "daemon-scale.mjs", node: ["--max-old-space-size=4096"] },
  { file: "daemon-load.mjs" },
  { file: "daemon-old-code.mjs" },
  { file: "chat-upgrade.mjs", node: ["--max-old-space-size=4096"] },
  { file: "check-upgrade.mjs" },
  { file: "dashboard.mjs", node: ["--max-old-space-size=4096"] },
];

/** Every figure's median, by name, for the summary at the end. */
const collected = new Map();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const bench of benches) {
  if (only.length > 0 && !only.some((o) => bench.file.includes(o))) continue;
  const figures = new Map();
  for (let run = 0; run < RUNS; run++) {
    let out;
    try {
      out = execFileSync(process.execPath, [...(bench.node ?? []), join(here, bench.file)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 * 1024 * 1024 });
    } catch (err) {
      console.log(`${bench.file}: failed (${err.message.split("\n")[0]})`);
      break;
    }
    for (const line of out.split("\n")) {
      if (!line.startsWith("{")) continue;
      const f = JSON.parse(line);
      if (!figures.has(f.figure)) figures.set(f.figure, { ...f, values: [] });
      figures.get(f.figure).values.push(f.value);
    }
  }
  for (const f of figures.values()) {
    collected.set(f.figure, median(f.values));
    const runs = f.values.map((v) => v.toLocaleString("en")).join(", ");
    console.log(`${f.figure}: ${median(f.values).toLocaleString("en")} ${f.unit}   target ${f.target}   (runs: ${runs})`);
  }
}

// The performance table of issue 13: each figure beside what it is compared with, all from this run.
const pick = (re) => [...collected].find(([name]) => re.test(name))?.[1];
const fmt = (v, unit) => (v === undefined ? "—" : `${v.toLocaleString("en", { maximumFractionDigits: 3 })} ${unit}`);
const ratio = (a, b) => (a === undefined || b === undefined ? "—" : `×${(a / b).toFixed(2)}`);
const otpSys = pick(/^OTP: sys suspend/);
const rows = [
  ["relx status vs node -e 0 (median)", fmt(pick(/^daemon CLI: relx status \(median/), "ms"), fmt(pick(/^daemon CLI: node -e 0, Node's floor \(median/), "ms"), fmt(pick(/^daemon CLI: relx status ÷ node -e 0 \(medians/), ""), "≤ ×1.25"],
  ["relx ping vs node -e 0 (median)", fmt(pick(/^daemon CLI: relx ping \(median/), "ms"), fmt(pick(/^daemon CLI: node -e 0, Node's floor \(median/), "ms"), fmt(pick(/^daemon CLI: relx ping ÷ node -e 0 \(medians/), ""), "≤ ×1.25"],
  ["… relx status vs node -e 0 without NODE_EXTRA_CA_CERTS", fmt(pick(/^daemon CLI: relx status \(median/), "ms"), fmt(pick(/^daemon CLI: node -e 0 without NODE_EXTRA_CA_CERTS, the bare/), "ms"), fmt(pick(/^daemon CLI: relx status ÷ node -e 0 without NODE_EXTRA_CA_CERTS \(medians/), ""), "(printed)"],
  ["upgrade pause, 100,000 boot processes", fmt(pick(/^daemon: upgrade pause, 100,000 boot/), "ms"), `OTP ${fmt(otpSys, "ms")}`, ratio(pick(/^daemon: upgrade pause, 100,000 boot/), otpSys), "≤ 15 ms"],
  ["… its CPU time", fmt(pick(/^daemon: upgrade pause CPU time, .* boot/), "ms"), "", "", "≤ 15 ms"],
  ["relx upgrade wall time, 100,000 boot processes (run as the build returns)", fmt(pick(/^daemon: relx upgrade wall time, 100,000 boot/), "ms"), `pause ${fmt(pick(/^daemon: upgrade pause, 100,000 boot/), "ms")}`, "", "≤ 300 ms"],
  ["relx upgrade wall time, 100,000 spawned processes", fmt(pick(/^daemon: relx upgrade wall time, 100,000 processes spawned/), "ms"), `node -e 0 ${fmt(pick(/^daemon CLI: node -e 0, Node's floor \(median/), "ms")}`, "", "≤ 300 ms"],
  ["upgrade pause, 100,000 spawned processes", fmt(pick(/^daemon: upgrade pause, 100,000 processes spawned/), "ms"), `OTP ${fmt(otpSys, "ms")}`, ratio(pick(/^daemon: upgrade pause, 100,000 processes spawned/), otpSys), "≤ 15 ms"],
  ["sys.suspend/changeCode/resume, a promise per process, 100,000", fmt(pick(/^runtime: the same 100,000 with a promise per process/), "ms"), `OTP ${fmt(otpSys, "ms")}`, ratio(pick(/^runtime: the same 100,000 with a promise per process/), otpSys), "≤ ×0.1 of OTP"],
  ["call round trip", fmt(pick(/^runtime: call round trip$/), "µs"), `floor ${fmt(pick(/^runtime: bare promise mailbox round trip \(the floor\)$/), "µs")}; OTP ${fmt(pick(/^OTP: GenServer.call/), "µs")}`, fmt(pick(/^runtime: call round trip ÷ the floor$/), ""), "≤ ×1.2 of the floor"],
  ["upgrade pause, 10,000 WebSocket connections", fmt(pick(/^chat: upgrade pause, 10,000/), "ms"), `CPU ${fmt(pick(/^chat: upgrade pause CPU time, 10,1/), "ms")}`, "", "≤ 5 ms"],
  ["… the same pass in one process, warm", fmt(pick(/^runtime: fused pass CPU time, 10,000 connections/), "ms"), `rooms' own codeChange ${fmt(pick(/^runtime: the 100 rooms' own codeChange/), "ms")}`, "", "(the app's floor)"],
];
if (rows.some((r) => r[1] !== "—")) {
  console.log("\nsummary (medians of this run)");
  console.table(rows.map(([figure, relx, beside, ratioText, target]) => ({ figure, relx, beside, ratio: ratioText, target })));
}
