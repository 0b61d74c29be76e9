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
    const runs = f.values.map((v) => v.toLocaleString("en")).join(", ");
    console.log(`${f.figure}: ${median(f.values).toLocaleString("en")} ${f.unit}   target ${f.target}   (runs: ${runs})`);
  }
}
