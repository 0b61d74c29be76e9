// The chat example with N WebSocket clients connected (a Connection process each, in 100 rooms),
// a trickle of traffic (20 lines a second in all), upgraded to v2 and downgraded through
// `relx upgrade` / `relx downgrade`: the pause (first suspend to last resume, as the daemon
// measures it), the command's wall time, the daemon's memory, and whether every client stayed
// connected and every line came back. CHAT_BENCH_N="1000,10000" sets the sizes.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Crowd } from "../examples/chat/crowd.mjs";
import { applyChatV2, copyChat, freePort } from "../examples/chat/setup.mjs";
import { figure, now, pauseCpuFigure, upgradeLogLines } from "./lib.mjs";

const bin = resolve(dirname(fileURLToPath(import.meta.url)), "..", "bin", "relx");
const run = promisify(execFile);
const SIZES = (process.env.CHAT_BENCH_N ?? "1000,10000").split(",").map(Number);
const ROOMS = Array.from({ length: 100 }, (_, i) => `r${i}`);
const LINES_PER_SECOND = 20;

async function relx(root, env, ...args) {
  const { stdout } = await run(process.execPath, [bin, ...args, "--root", root], { env: { ...process.env, ...env }, maxBuffer: 1 << 30 });
  return args.includes("--json") ? JSON.parse(stdout) : stdout;
}

async function daemonRssMb(root, env) {
  const { daemon } = await relx(root, env, "status", "--json");
  const { stdout } = await run("ps", ["-o", "rss=", "-p", String(daemon.pid)]);
  return Number(stdout.trim()) / 1024;
}

async function scenario(n) {
  const root = mkdtempSync(join(tmpdir(), "rx-chatb-")); console.log("ROOT", root);
  const env = { PORT: String(await freePort()), CHAT_ROOMS: ROOMS.join(",") };
  const label = `${n.toLocaleString("en")} WebSocket connections`;
  let crowd;
  try {
    copyChat(root);
    await relx(root, env, "build");
    await run(process.execPath, [...(process.env.DFLAGS ?? "").split(" ").filter(Boolean), bin, "start", "--root", root], { env: { ...process.env, ...env } });
    crowd = new Crowd({ url: `ws://127.0.0.1:${env.PORT}`, count: n, rooms: ROOMS, concurrency: 200 });
    const t = now();
    await crowd.connect();
    figure(`chat: connect ${label} (welcome received by each)`, now() - t, "ms", "printed");
    figure(`chat: daemon RSS with ${label}`, await daemonRssMb(root, env), "MiB", "printed");
    crowd.trickle(LINES_PER_SECOND);
    applyChatV2(root);
    await relx(root, env, "build", "--vsn", "2.0.0");

    const t0 = now();
    const up = await relx(root, env, "upgrade", "2.0.0", "--json");
    figure(`chat: upgrade pause, ${label}`, up.pauseMs, "ms", "≤ 5 ms at 10,000");
    figure(`chat: relx upgrade wall time, ${label}`, now() - t0, "ms", "printed");
    figure(`chat: processes changed by the upgrade, ${label}`, up.changed.length, "processes", `${(n + ROOMS.length + 1).toLocaleString("en")}`);
    const down = await relx(root, env, "downgrade", "1.0.0", "--json");
    figure(`chat: downgrade pause, ${label}`, down.pauseMs, "ms", "≤ 5 ms at 10,000");

    crowd.hush();
    await crowd.settle(120_000);
    const stats = crowd.stats();
    figure(`chat: clients still connected after upgrade and downgrade, ${label}`, stats.open, "clients", n.toLocaleString("en"));
    figure(`chat: lines said across upgrade and downgrade, ${label}`, stats.sent, "lines", "printed");
    figure(`chat: lines lost, ${label}`, stats.lost, "lines", "0");
    figure(`chat: longest wait for a line to come back, ${label}`, stats.maxEchoMs, "ms", "printed");
  } finally {
    crowd?.close();
    await relx(root, env, "stop").catch(() => undefined);
    const log = readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8");
    for (const line of upgradeLogLines(log)) pauseCpuFigure(line, "chat", "", "≤ 5 ms at 10,000");
    void 0;
  }
}

for (const n of SIZES) await scenario(n);
