// A call round trip: await call(pid, { add }), one caller, the seed's DemoServer work; beside it,
// in the same process and interleaved round by round, the floor: a bare promise mailbox (a queue,
// one promise per call, the same handler) with nothing of relx's around it. Then the same with
// the daemon's process attribution on (AsyncLocalStorage), as `relx call` meets it.
import { call, start } from "../dist/index.js";
import { trackProcesses } from "../dist/runtime/host.js";
import { DemoServerV1, figure, now } from "./lib.mjs";

/** The floor: what any promise-based mailbox pays per call. */
class BareMailbox {
  queue = [];
  running = false;
  constructor(def, args) {
    this.def = def;
    this.state = def.init(args);
  }
  call(msg) {
    return new Promise((resolve, reject) => {
      this.queue.push({ msg, resolve, reject });
      if (!this.running) this.run();
    });
  }
  run() {
    this.running = true;
    while (this.queue.length > 0) {
      const m = this.queue.shift();
      try {
        const r = this.def.handleCall(m.msg, null, this.state, null);
        this.state = r.state;
        m.resolve(r.reply);
      } catch (err) {
        m.reject(err);
      }
    }
    this.running = false;
  }
}

const N = Number(process.env.CALL_N ?? 200_000);
const ROUNDS = Number(process.env.CALL_ROUNDS ?? 11);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeRelx(pid) {
  const t = now();
  for (let i = 0; i < N; i++) await call(pid, { add: 1 });
  return ((now() - t) * 1000) / N;
}

async function timeBare(box) {
  const t = now();
  for (let i = 0; i < N; i++) await box.call({ add: 1 });
  return ((now() - t) * 1000) / N;
}

async function measure(label, pid, box) {
  // A short warm-up of both, then rounds that alternate, so noise falls on both alike.
  for (let i = 0; i < 20_000; i++) await call(pid, { add: 1 });
  for (let i = 0; i < 20_000; i++) await box.call({ add: 1 });
  const relx = [];
  const bare = [];
  for (let r = 0; r < ROUNDS; r++) {
    bare.push(await timeBare(box));
    relx.push(await timeRelx(pid));
  }
  const floor = median(bare);
  figure(`runtime: call round trip${label}`, median(relx), "µs", "≤ 1.2 × the bare mailbox (OTP: 3.9 µs)");
  figure(`runtime: bare promise mailbox round trip (the floor)${label}`, floor, "µs", "for comparison");
  figure(`runtime: call round trip ÷ the floor${label}`, median(relx.map((x, i) => x / bare[i])), "×", "≤ 1.2");
}

const pid = await start(DemoServerV1, { name: "blackode", money: 0 });
await measure("", pid, new BareMailbox(DemoServerV1, { name: "blackode", money: 0 }));
trackProcesses("async");
const tracked = await start(DemoServerV1, { name: "tracked", money: 0 });
await measure(", with the daemon's attribution", tracked, new BareMailbox(DemoServerV1, { name: "tracked", money: 0 }));
