// CLI commands against a live daemon, as a user or a script runs them: the real `bin/relx`
// executable (its shell preamble execs node), wall time from spawn to exit, beside `node -e 0`
// (Node's own startup, what no CLI can beat) measured in the same run. With NODE_EXTRA_CA_CERTS
// set, which bin/relx holds back from its own Node, node -e 0 without it is timed too. The bank example is built
// and started in a temp root, and stopped at the end, also when something fails.
//
// The runs are interleaved: each round runs node -e 0, status, ping and call once, in turn, so that
// whatever else the machine does hits all of them alike. With hyperfine (`-N`, no shell) a round
// is one hyperfine invocation with one run of each; without it (and when `apt-get install
// hyperfine` cannot put it there) a loop of spawnSync does the same, timed here. Figures: the
// median and the mean of each command, and each as a ratio to node -e 0's.
//
// CLI_RUNS: rounds (default 30). CLI_COMPARE=<another checkout's bin/relx>: time its status, ping
// and call too, in the same rounds (a before/after). CLI_NO_INSTALL=1: do not try apt-get.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { figure, now } from "./lib.mjs";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(REPO, "bin", "relx");
const RUNS = Number(process.env.CLI_RUNS ?? 30);
const COMPARE = process.env.CLI_COMPARE;
const RATIO_TARGET = 1.25;
const CERTS = (process.env.NODE_EXTRA_CA_CERTS ?? "") !== "";
const NO_CERTS = "node -e 0 without NODE_EXTRA_CA_CERTS";

const root = mkdtempSync(join(tmpdir(), "rxc-"));

function node(args) {
  return execFileSync(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
}

const relx = (...args) => node([BIN, ...args, "--root", root]);

/** hyperfine on the PATH, installed with apt-get if it is not and that works; else null. */
function findHyperfine() {
  const works = () => spawnSync("hyperfine", ["--version"], { stdio: "ignore" }).status === 0;
  if (works()) return "hyperfine";
  if (process.env.CLI_NO_INSTALL === "1" || process.getuid?.() !== 0) return null;
  const apt = (...args) => spawnSync("apt-get", args, { stdio: "ignore", timeout: 180_000 }).status === 0;
  if (!apt("install", "-y", "-qq", "hyperfine")) apt("update", "-qq") && apt("install", "-y", "-qq", "hyperfine");
  return works() ? "hyperfine" : null;
}

/** The commands of a round: a label and the argv, program first. */
function commands() {
  const list = [{ label: "node -e 0", argv: [process.execPath, "-e", "0"] }];
  // bin/relx holds NODE_EXTRA_CA_CERTS back from its own Node (Node 20 reads the file as it
  // starts): the floor relx's CLI runs on is then Node's start without it.
  if (CERTS) list.push({ label: NO_CERTS, argv: ["env", "-u", "NODE_EXTRA_CA_CERTS", process.execPath, "-e", "0"] });
  const add = (bin, suffix) => {
    list.push({ label: `relx status${suffix}`, argv: [bin, "status", "--root", root] });
    list.push({ label: `relx ping${suffix}`, argv: [bin, "ping", "--root", root] });
    list.push({ label: `relx call blackode '{"add":1}'${suffix}`, argv: [bin, "call", "blackode", '{"add":1}', "--root", root] });
  };
  add(BIN, "");
  if (COMPARE !== undefined) add(COMPARE, ` (${COMPARE})`);
  return list;
}

/** A word for hyperfine -N, which splits its command lines as a POSIX shell would. */
const quote = (word) => (/^[\w./:=@+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);

/** One round under hyperfine: one run of each command, in order. Milliseconds, by label. */
function hyperfineRound(hyperfine, list) {
  const json = join(root, "hyperfine.json");
  const lines = list.map((c) => c.argv.map(quote).join(" "));
  const r = spawnSync(hyperfine, ["-N", "--runs", "1", "--style", "none", "--export-json", json, ...lines], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (r.status !== 0) throw new Error(`hyperfine failed: ${r.stderr}`);
  const { results } = JSON.parse(readFileSync(json, "utf8"));
  return new Map(results.map((result, i) => [list[i].label, result.times[0] * 1000]));
}

/** One round timed here: spawnSync of each command, in order. Milliseconds, by label. */
function loopRound(list) {
  const times = new Map();
  for (const c of list) {
    const t = now();
    const r = spawnSync(c.argv[0], c.argv.slice(1), { stdio: "ignore" });
    times.set(c.label, now() - t);
    if (r.status !== 0) throw new Error(`${c.label} exited ${r.status}`);
  }
  return times;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

function measure() {
  const list = commands();
  const hyperfine = findHyperfine();
  const round = hyperfine === null ? () => loopRound(list) : () => hyperfineRound(hyperfine, list);
  const how = hyperfine === null ? "spawnSync loop" : "hyperfine -N";
  round(); // untimed: warms the disk cache and the daemon
  const samples = new Map(list.map((c) => [c.label, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const [label, ms] of round()) samples.get(label).push(ms);
  }
  const floorOf = (label) => {
    const xs = samples.get(label);
    return { median: median(xs), mean: mean(xs) };
  };
  const floor = floorOf("node -e 0");
  figure(`daemon CLI: node -e 0, Node's floor (median of ${RUNS}, ${how})`, floor.median, "ms", "—");
  figure(`daemon CLI: node -e 0, Node's floor (mean of ${RUNS}, ${how})`, floor.mean, "ms", "—");
  // With NODE_EXTRA_CA_CERTS set (this machine's environment sets it), relx's own Node starts
  // without it (bin/relx) and node -e 0 pays for it: the target's ratio, to node -e 0 as the
  // machine runs it, then flatters relx. So the ratio to Node's start without it is printed too:
  // what relx itself adds to a bare Node.
  const bare = CERTS ? floorOf(NO_CERTS) : null;
  if (bare !== null) {
    figure(`daemon CLI: ${NO_CERTS}, the bare Node relx's own starts as (median of ${RUNS}, ${how})`, bare.median, "ms", "—");
    figure(`daemon CLI: ${NO_CERTS} (mean of ${RUNS}, ${how})`, bare.mean, "ms", "—");
  }
  for (const c of list.slice(CERTS ? 2 : 1)) {
    const xs = samples.get(c.label);
    for (const stat of ["median", "mean"]) {
      const value = stat === "median" ? median(xs) : mean(xs);
      const target = `≤ ${RATIO_TARGET} × node -e 0 = ${(RATIO_TARGET * floor[stat]).toFixed(0)} ms`;
      figure(`daemon CLI: ${c.label} (${stat} of ${RUNS}, ${how})`, value, "ms", target);
      figure(`daemon CLI: ${c.label} ÷ node -e 0 (${stat}s)`, value / floor[stat], "×", `≤ ${RATIO_TARGET}`);
      if (bare !== null) figure(`daemon CLI: ${c.label} ÷ ${NO_CERTS} (${stat}s)`, value / bare[stat], "×", "printed (what relx adds to a bare Node)");
    }
  }
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
  measure();
} finally {
  stopDaemon();
  rmSync(root, { recursive: true, force: true });
}
