// CLI commands against a live daemon, as a user or a script runs them: the real `relx` in a fresh
// `node` process each time, wall time from spawn to exit. The bank example is built and started
// in a temp root, and stopped at the end, also when something fails.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { figure, now } from "./lib.mjs";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(REPO, "bin", "relx");
const RUNS = Number(process.env.CLI_RUNS ?? 15);
const TARGET = "≤ 0.1 s (Elixir release `bin/app pid`: 0.2 s)";

const root = mkdtempSync(join(tmpdir(), "rxc-"));

function node(args) {
  return execFileSync(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
}

const relx = (...args) => node([BIN, ...args, "--root", root]);

/** Seconds of wall time of each of RUNS runs of `node <args>`, after two untimed ones. */
function time(args) {
  node(args);
  node(args);
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t = now();
    node(args);
    times.push((now() - t) / 1000);
  }
  return times.sort((a, b) => a - b);
}

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted, p) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];

function report(label, args, target) {
  const sorted = time([BIN, ...args, "--root", root]);
  figure(`daemon CLI: ${label} (median of ${RUNS})`, percentile(sorted, 50), "s", target);
  figure(`daemon CLI: ${label} (p90 of ${RUNS})`, percentile(sorted, 90), "s", target);
}

/** `relx stop`; if that fails, SIGTERM to the daemon we started (its pid file names it). */
function stopDaemon() {
  try {
    relx("stop");
  } catch {
    const pidFile = join(root, ".relx", "relx.pid");
    if (existsSync(pidFile)) {
      try {
        process.kill(Number(readFileSync(pidFile, "utf8").trim()), "SIGTERM");
      } catch {
        // already gone
      }
    }
  }
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    stopDaemon();
    rmSync(root, { recursive: true, force: true });
    process.exit(1);
  });
}

cpSync(join(REPO, "examples", "bank", "package.json"), join(root, "package.json"));
cpSync(join(REPO, "examples", "bank", "src"), join(root, "src"), { recursive: true });
relx("build");
try {
  relx("start");
  // What no CLI can beat: a fresh node that runs nothing.
  const bare = time(["-e", ""]);
  figure(`daemon CLI: bare \`node -e ""\`, for reference (median of ${RUNS})`, percentile(bare, 50), "s", "—");
  report("relx status", ["status"], TARGET);
  report("relx ping", ["ping"], TARGET);
  report(`relx call blackode '{"add":1}'`, ["call", "blackode", '{"add":1}'], TARGET);
} finally {
  stopDaemon();
  rmSync(root, { recursive: true, force: true });
}
