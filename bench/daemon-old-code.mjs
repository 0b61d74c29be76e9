// Old code freed: a daemon started with NODE_OPTIONS=--max-old-space-size=64 upgrades through 30
// releases whose server module carries ~3 MB of code (~8 MB of heap each once loaded), one after
// another. Prints whether it still answers with its state carried through, and its resident set
// (the daemon exposes no heap figure, so VmRSS/VmHWM from /proc), plus build and upgrade times.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { cleanUp, relx, relxJson, rssKb, tempRoot, writeBigApp } from "./daemon-fixtures.mjs";
import { figure, now } from "./lib.mjs";

const RELEASES = Number(process.env.OLD_CODE_RELEASES ?? 30);
const HEAP_CAP = "--max-old-space-size=64";
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (kb) => (kb === null ? NaN : kb / 1024);

function peakKb(pid) {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
  } catch {
    return null;
  }
}

const root = tempRoot("rx-old-");
try {
  writeBigApp(root, 0);
  await relxJson(root, ["build", "--vsn", "1.0.0"]);
  const { pid } = await relxJson(root, ["start"], { NODE_OPTIONS: HEAP_CAP });
  await relxJson(root, ["call", "big", '"inc"']);
  const rssBoot = rssKb(pid);

  const builds = [];
  for (let release = 1; release < RELEASES; release++) {
    writeBigApp(root, release);
    const t = now();
    await relxJson(root, ["build", "--vsn", `1.0.${release}`]);
    builds.push(now() - t);
  }
  const bundleMb = statSync(join(root, "releases", "1.0.1", "lib", "big.cjs")).size / 1e6;

  const upgrades = [];
  let answered = 1;
  let failure = null;
  for (let release = 1; release < RELEASES && failure === null; release++) {
    const t = now();
    const up = await relx(root, ["upgrade", `1.0.${release}`, "--json"]);
    upgrades.push(now() - t);
    const reply = up.code === 0 ? await relx(root, ["call", "big", '"inc"', "--json"]) : up;
    if (reply.code !== 0) failure = `release 1.0.${release}: ${reply.stdout}${reply.stderr}`;
    else if (JSON.parse(reply.stdout).vsn === release + 1) answered++;
  }
  const state = failure === null ? await relxJson(root, ["state", "big"]).catch(() => null) : null;
  const carried = state !== null && state.n === RELEASES && state.seen.length === RELEASES - 1;
  if (failure !== null) {
    process.stderr.write(`daemon-old-code: the daemon stopped answering at ${failure}\n--- ${root}/.relx/log/daemon.log (tail) ---\n`);
    process.stderr.write(readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8").split("\n").slice(-40).join("\n") + "\n");
  }

  figure(`daemon old code: releases answered after each upgrade (${RELEASES} × ${bundleMb.toFixed(1)} MB of code, 64 MB heap)`, answered, "releases", `${RELEASES}`);
  figure("daemon old code: state carried through every codeChange (1 = yes)", carried ? 1 : 0, "", "1");
  figure("daemon old code: daemon RSS after boot", mb(rssBoot), "MB", "printed");
  figure(`daemon old code: daemon RSS after ${RELEASES - 1} upgrades (${RELEASES} releases)`, mb(rssKb(pid)), "MB", "printed (heap itself capped at 64 MB)");
  figure("daemon old code: daemon peak RSS (VmHWM)", mb(peakKb(pid)), "MB", "printed");
  figure("daemon old code: relx build of one ~3 MB release (median)", median(builds), "ms", "printed");
  figure("daemon old code: relx upgrade wall time, ~3 MB release (median)", median(upgrades), "ms", "printed");
} finally {
  await cleanUp(root);
}
