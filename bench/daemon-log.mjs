// What a console.log costs inside the daemon: captured, stamped with its process and appended to
// the rotating log (one writeSync per entry), against a plain console.log to a file, which is what
// the daemon's stdout was before capture. Each in a fresh process.
import { spawnSync } from "node:child_process";
import { mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { figure, now } from "./lib.mjs";

const N = 200_000;
const mode = process.argv[2];

if (mode === undefined) {
  for (const m of ["plain", "captured"]) {
    const dir = mkdtempSync(join(tmpdir(), "rx-bench-log-"));
    const out = openSync(join(dir, "stdout.log"), "a");
    try {
      // The child's stdout is the file; it reports its figure on stderr.
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), m, dir], { stdio: ["ignore", out, "pipe"], encoding: "utf8" });
      const f = JSON.parse(r.stderr.trim().split("\n").at(-1));
      figure(f.figure, f.value, f.unit, f.target);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
} else {
  const dir = process.argv[3];
  const { call, defineServer, start } = await import("../dist/index.js");
  // Bound before capture replaces process.stderr.write.
  const report = process.stderr.write.bind(process.stderr);
  if (mode === "captured") {
    const { trackProcesses } = await import("../dist/runtime/attribution.js");
    const { captureOutput } = await import("../dist/daemon/log/capture.js");
    const { openDaemonLog } = await import("../dist/daemon/log/daemon-log.js");
    const log = openDaemonLog(dir, false);
    trackProcesses("async");
    captureOutput(log.print);
  }
  const Printer = defineServer({
    name: "Printer",
    init: () => null,
    handleCall(n, _from, state) {
      for (let i = 0; i < n; i++) console.log("line", i);
      return { reply: n, state };
    },
  });
  const pid = await start(Printer, null, { name: "printer" });
  await call(pid, 1000);
  const t = now();
  await call(pid, N);
  const perLine = ((now() - t) * 1000) / N;
  report(JSON.stringify({ figure: `daemon: console.log to the log, ${mode}`, value: perLine, unit: "µs", target: "captured ≤ 2× plain" }) + "\n");
}
