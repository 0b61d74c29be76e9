// What attributing output to processes costs on the call path: the call round trip of
// runtime-call.mjs with tracking off (the library), "sync" (a callback's synchronous part) and
// "async" (AsyncLocalStorage: awaits and timers too, as the daemon runs it), each in a fresh
// process, since Node's promise hooks stay on once AsyncLocalStorage has been used.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { call, defineServer, start } from "../dist/index.js";
import { trackProcesses } from "../dist/runtime/attribution.js";
import { DemoServerV1, figure, now } from "./lib.mjs";

const MODES = ["off", "sync", "async"];
const mode = process.argv[2];

if (mode === undefined) {
  for (const m of MODES) {
    process.stdout.write(execFileSync(process.execPath, [fileURLToPath(import.meta.url), m], { encoding: "utf8" }));
  }
} else {
  trackProcesses(mode);
  const AsyncServer = defineServer({
    name: "AsyncServer",
    init: () => 0,
    async handleCall(msg, _from, state) {
      await null;
      return { reply: state + msg.add, state: state + msg.add };
    },
  });
  const sync = await start(DemoServerV1, { name: "blackode", money: 0 });
  const asyncPid = await start(AsyncServer, null);
  const N = 1_000_000;
  for (const [what, pid] of [["sync handleCall", sync], ["async handleCall", asyncPid]]) {
    for (let i = 0; i < N / 4; i++) await call(pid, { add: 1 });
    const t = now();
    for (let i = 0; i < N; i++) await call(pid, { add: 1 });
    figure(`runtime: call round trip, ${what}, tracking ${mode}`, ((now() - t) * 1000) / N, "µs", "tracking adds ≤ 0.1 µs");
  }
}
