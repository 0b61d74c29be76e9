// A call round trip: await call(pid, { add }), one caller, the seed's DemoServer work.
import { call, start } from "../dist/index.js";
import { DemoServerV1, figure, now } from "./lib.mjs";

const pid = await start(DemoServerV1, { name: "blackode", money: 0 });
for (let i = 0; i < 500_000; i++) await call(pid, { add: 1 });
const N = 2_000_000;
const t = now();
for (let i = 0; i < N; i++) await call(pid, { add: 1 });
figure("runtime: call round trip", ((now() - t) * 1000) / N, "µs", "≤ 0.5 µs (OTP: 2.5–3.2 µs)");
