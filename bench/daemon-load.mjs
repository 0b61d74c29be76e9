// 4 socket clients pipelining calls (32 in flight each) to one counter process: first steady, then
// through upgrade/downgrade cycles run by the real CLI. Prints call latency (p99, worst) and calls/s
// in each phase, and how many calls failed, were lost or were answered twice (the test asserts 0).
import { join } from "node:path";
import { cleanUp, quantile, relx, relxJson, startLoad, tempRoot, writeCounter } from "./daemon-fixtures.mjs";
import { figure, now } from "./lib.mjs";

const CLIENTS = 4;
const IN_FLIGHT = 32;
const CYCLES = Number(process.env.LOAD_CYCLES ?? 20);
const STEADY_MS = 3_000;
const STEPS = [
  [["upgrade", "2.0.0"], ["upgrade", "3.0.0"], ["downgrade", "1.0.0"]],
  [["upgrade", "3.0.0"], ["downgrade", "2.0.0"], ["downgrade", "1.0.0"]],
];

const root = tempRoot("rx-load-");
try {
  writeCounter(root, "1.0.0", 1);
  await relxJson(root, ["build"]);
  await relxJson(root, ["start"]);
  for (const vsn of [2, 3]) {
    writeCounter(root, `${vsn}.0.0`, vsn);
    await relxJson(root, ["build"]);
  }

  const load = await startLoad({ socket: join(root, ".relx", "relx.sock"), process: "counter", msg: "inc", clients: CLIENTS, inFlight: IN_FLIGHT });
  await new Promise((r) => setTimeout(r, 500)); // warm up
  const tSteady = now();
  await new Promise((r) => setTimeout(r, STEADY_MS));
  const tCycles = now();
  const pauses = [];
  for (let i = 0; i < CYCLES; i++) {
    for (const [op, vsn] of STEPS[i % 2]) pauses.push((await relxJson(root, [op, vsn])).pauseMs);
  }
  const tEnd = now();
  const tally = await load.stop();

  const phase = (from, to) => {
    const lat = [];
    for (let i = 0; i < tally.sentAt.length; i++) if (tally.sentAt[i] >= from && tally.sentAt[i] < to) lat.push(tally.latency[i]);
    return { lat, perSec: (lat.length * 1000) / (to - from) };
  };
  const steady = phase(tSteady, tCycles);
  const cycles = phase(tCycles, tEnd);
  const counts = new Set(tally.results.map((r) => r.n));
  const doubled = tally.duplicates + (tally.results.length - counts.size);
  const final = (await relxJson(root, ["state", "counter"])).n;

  const label = `${CLIENTS} clients × ${IN_FLIGHT} in flight`;
  figure(`daemon load: calls/s, steady (${label})`, steady.perSec, "calls/s", "printed");
  figure("daemon load: p99 call latency, steady", quantile(steady.lat, 0.99), "ms", "printed");
  figure(`daemon load: calls/s during ${CYCLES} upgrade/downgrade cycles (${pauses.length} CLI runs)`, cycles.perSec, "calls/s", "printed");
  figure("daemon load: p99 call latency during the cycles", quantile(cycles.lat, 0.99), "ms", "printed");
  figure("daemon load: worst call latency during the cycles", quantile(cycles.lat, 1), "ms", "printed");
  figure("daemon load: worst upgrade pause during the cycles", Math.max(...pauses), "ms", "printed");
  figure("daemon load: calls failed + lost + doubled", tally.failed + tally.lost + tally.strays + doubled, "calls", "0");
  figure("daemon load: final count − calls made", final - tally.sent, "calls", "0");
} finally {
  await cleanUp(root);
}
