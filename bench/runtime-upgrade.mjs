// suspend + changeCode + resume of N processes (1k, 10k, 100k, 1M): the bulk sys API the daemon
// uses, and the per-process promise API for comparison.
import { sys } from "../dist/index.js";
import { startProcess } from "../dist/runtime/api.js";
import * as host from "../dist/runtime/host.js";
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
  figure(`runtime: suspend+changeCode+resume ${n.toLocaleString("en")} processes (sys.*Many)`, median(times), "ms", n === 100_000 ? "printed (the daemon fuses the three: see below)" : "linear in N");
  figure(`runtime: the same, per process, ${n.toLocaleString("en")} processes`, (median(times) * 1e6) / n, "ns", "flat in N (linear cost)");
  if (n === 100_000) {
    const pers = [];
    for (let r = 0; r < 3; r++) pers.push(await perProcess(pids, 2), await perProcess(pids, 1));
    const per = median(pers);
    // The daemon's fused pass (host.swapAll): every process idle, every codeChange synchronous.
    const refs = pids.map((p) => host.find(p));
    const fused = [];
    for (let r = 0; r < 21; r++) {
      const up = r % 2 === 0;
      const changes = [{ refs, def: up ? DemoServerV2 : DemoServerV1, oldVsn: up ? "1" : { down: "1" } }];
      host.warmUp(changes);
      const t = now();
      if (host.swapAll(changes, { extra: null, timeoutMs: 5000 }) === null) throw new Error("the fused pass did not apply");
      fused.push(now() - t);
      await new Promise((resolve) => setImmediate(resolve));
    }
    figure("runtime: the daemon's fused pass, 100,000 processes (median)", median(fused), "ms", "≤ 15 ms (OTP: 1,000–1,300 ms)");
    figure("runtime: the daemon's fused pass, 100,000 processes (p90)", [...fused].sort((a, b) => a - b)[Math.floor(fused.length * 0.9)], "ms", "printed");
    figure("runtime: the same 100,000 with a promise per process (sys.suspend, sys.changeCode, sys.resume)", per, "ms", "≤ 0.1 × OTP (OTP: 1,000–1,300 ms; see otp.mjs)");
  }
  for (const p of pids) await sys.resume(p);
}
