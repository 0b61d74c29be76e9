// Heap per idle DemoServer process (state included), and 1,000,000 processes in one Node process.
// Run with --expose-gc.
import { startProcess } from "../dist/runtime/api.js";
import { processCount } from "../dist/runtime/registry.js";
import { DemoServerV1, figure } from "./lib.mjs";

const N = Number(process.argv[2] ?? 1_000_000);
global.gc();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < N; i++) startProcess(DemoServerV1, { name: `emp${i}`, money: i });
global.gc();
const after = process.memoryUsage().heapUsed;
figure(`runtime: heap per idle process (${N.toLocaleString("en")} processes)`, (after - before) / N, "bytes", "≤ 400 bytes (OTP: 2.5 KB)");
figure("runtime: processes alive in one Node process", processCount(), "processes", "1,000,000");
