// check-upgrade on 10,000 recorded states of one server (the bank's DemoServer v1 → v2): every
// state's codeChange up, down and the round trip compared, in the check's worker thread. Timed from
// the call to the report (releases verified and loaded, the states file read, the plan, the worker
// started), through the library and through the whole CLI process; and the CPU time of the call
// across both threads, which a busy machine stretches less than the wall time.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkUpgrade } from "../dist/testing.js";
import { figure, now } from "./lib.mjs";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(REPO, "bin", "relx");
const N = 10_000;
const RUNS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const root = mkdtempSync(join(tmpdir(), "rxc-"));
const relx = (...args) => execFileSync(process.execPath, [BIN, ...args, "--root", root], { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 28 });
cpSync(join(REPO, "examples", "bank", "package.json"), join(root, "package.json"));
cpSync(join(REPO, "examples", "bank", "src"), join(root, "src"), { recursive: true });
relx("build");
cpSync(join(REPO, "examples", "bank", "v2", "src"), join(root, "src"), { recursive: true });
relx("build", "--vsn", "2.0.0");

const processes = Array.from({ length: N }, (_, i) => ({ name: `acct-${i}`, pid: `<0.${i + 1}.0>`, server: "DemoServer", vsn: "1", state: { name: `acct-${i}`, money: i * 10 } }));
const states = join(root, "states.json");
writeFileSync(states, JSON.stringify({ processes }));

const options = { root, from: "1.0.0", to: "2.0.0", states };
const check = await checkUpgrade(options);
if (!check.ok || check.results.length !== N || !check.results.every((r) => r.roundTrip)) throw new Error("the check did not come out ok");

const wall = [];
const cpu = [];
for (let i = 0; i < RUNS; i++) {
  const c = process.cpuUsage();
  const t = now();
  await checkUpgrade(options);
  wall.push(now() - t);
  const used = process.cpuUsage(c);
  cpu.push((used.user + used.system) / 1000);
}
const cli = [];
for (let i = 0; i < RUNS; i++) {
  const t = now();
  relx("check-upgrade", "1.0.0", "2.0.0", "--states", states, "--json");
  cli.push(now() - t);
}
rmSync(root, { recursive: true, force: true });

figure(`check-upgrade: checkUpgrade of ${N.toLocaleString("en")} recorded states (up, down, round trip), call to report`, median(wall), "ms", "well under 1,000 ms");
figure(`check-upgrade: CPU of that call, both threads`, median(cpu), "ms", "printed");
figure(`check-upgrade: relx check-upgrade --states (${N.toLocaleString("en")}) --json, the whole CLI process`, median(cli), "ms", "printed; under 1,000 ms");
