// suspend + changeCode + resume of N processes (1k, 10k, 100k, 1M): the bulk sys API the daemon
// uses, and the per-process promise API for comparison.
import { sys } from "../dist/index.js";
import { startProcess } from "../dist/runtime/api.js";
import { DemoServerV1, DemoServerV2, figure, now } from "./lib.mjs";

async function bulk(pids, v) {
  const t = now();
  await sys.suspendMany(pids);
  await sys.changeCodeMany(pids, v === 2 ? DemoServerV2 : DemoServerV1, v === 2 ? "1" : { down: "1" }, null);
  await sys.resumeMany(pids);
  return now() - t;
}

async function perProcess(pids, v) {
  const t = now();
  await Promise.all(pids.map((p) => sys.suspend(p)));
  await Promise.all(pids.map((p) => sys.changeCode(p, v === 2 ? DemoServerV2 : DemoServerV1, v === 2 ? "1" : { down: "1" }, null)));
  await Promise.all(pids.map((p) => sys.resume(p)));
  return now() - t;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const n of [1_000, 10_000, 100_000, 1_000_000]) {
  const pids = [];
  for (let i = 0; i < n; i++) pids.push(startProcess(DemoServerV1, { name: `emp${i}`, money: i }).pid);
  await bulk(pids, 2); // warm up
  await bulk(pids, 1);
  // Up to v2 and back down, 7 times; the median of the 14 swaps.
  const times = [];
  for (let r = 0; r < 7; r++) times.push(await bulk(pids, 2), await bulk(pids, 1));
  figure(`runtime: suspend+changeCode+resume ${n.toLocaleString("en")} processes (sys.*Many)`, median(times), "ms", n === 100_000 ? "≤ 60 ms (OTP: 630–930 ms)" : "linear in N");
  figure(`runtime: the same, per process, ${n.toLocaleString("en")} processes`, (median(times) * 1e6) / n, "ns", "flat in N (linear cost)");
  if (n === 100_000) {
    await perProcess(pids, 2);
    const per = await perProcess(pids, 1);
    figure("runtime: the same 100,000 with a promise per process (sys.suspend etc.)", per, "ms", "for comparison");
  }
  for (const p of pids) await sys.resume(p);
}
