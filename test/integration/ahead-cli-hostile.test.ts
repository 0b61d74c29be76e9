// codeChanges tried ahead of an upgrade's pause, attacked through the real CLI and daemon: traffic
// while the tries run, what a codeChange prints, the log line, and failures.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

const N = 1500;

/** N tickers, each re-arming a 0 ms tick until globalThis.__stop; every tick handled is also counted outside the state. */
function writeTickers(root: string, version: string, v2: boolean, extra = "", n = N, tick = true): void {
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "tickers", version, type: "module" }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: Array.from({ length: ${n} }, (_, i) => ({ name: "t" + i, server: "T", args: { id: i } })) });
`,
    "src/t.ts": `import { defineServer } from "relx";
const g = globalThis as any;
g.__ticks ??= {};
export default defineServer({
  name: "T", vsn: "${v2 ? 2 : 1}",
  init(args: any, ctx) { ${tick ? 'ctx.sendAfter(0, "tick");' : ""} return { id: args.id, n: 0, v: 1 }; },
  handleInfo(msg: any, s: any, ctx) {
    if (msg !== "tick") return s;
    g.__ticks[s.id] = (g.__ticks[s.id] ?? 0) + 1;
    if (!g.__stop) ctx.sendAfter(0, "tick");
    return { ...s, n: s.n + 1 };
  },
  handleCall(m: any, _f: unknown, s: any) {
    if (m === "stop") g.__stop = true;
    return { reply: { ...s, ticks: g.__ticks[s.id] }, state: s };
  },
  ${v2 ? `codeChange(_old: unknown, s: any) {
    const t = Date.now(); let x = 0; for (let i = 0; i < 3000; i++) x += i; void t; void x;
    ${extra}
    if (typeof _old !== "string") { console.log("demigrating " + s.id); return { id: s.id, n: s.n, v: 1 }; }
    console.log("migrating " + s.id);
    return { ...s, v: 2, at: s.n };
  },` : ""}
});
`,
  });
}

async function ok(root: string, args: string[]): Promise<void> {
  const r = await relx(root, args);
  expect(r.code, `${args.join(" ")}: ${r.stdout}${r.stderr}`).toBe(0);
}

describe("codeChanges tried ahead, through the CLI", () => {
  it("with every process ticking meanwhile: no tick lost or handled twice, each state migrated from its last, prints and log line agree", async () => {
    const root = tempRoot();
    writeTickers(root, "1.0.0", false);
    await ok(root, ["build"]);
    await ok(root, ["start"]);
    writeTickers(root, "2.0.0", true);
    await ok(root, ["build"]);
    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.code, JSON.stringify(up.json).slice(0, 2000)).toBe(0);
    expect(up.json.changed.length).toBe(N);
    await ok(root, ["call", "t0", '"stop"']);
    // The state's count and the one outside it move in the same handleInfo: equal between messages.
    const check = await relxJson(root, ["eval", `
      const bad = [];
      for (let i = 0; i < ${N}; i++) {
        const s = await call("t" + i, "get");
        const ticks = s.ticks;
        if (s.v !== 2 || s.n !== ticks || !(s.at <= s.n)) bad.push({ i, s, ticks });
      }
      bad.slice(0, 5)`]);
    expect(check.json).toEqual([]);
    const log = readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8");
    const line = log.split("\n").find((l) => l.includes("upgrade 1.0.0 -> 2.0.0:"))!;
    const [, usedText = "0", madeText] = /tried ahead for (\d+)(?: of (\d+) tries)?/.exec(line) ?? [];
    const used = Number(usedText);
    // Each try made prints (a process that ticked while the others were tried is tried again), and
    // so does each codeChange the pass ran itself.
    const made = madeText === undefined ? used : Number(madeText);
    expect(made).toBeGreaterThanOrEqual(N);
    const prints = log.split("\n").filter((l) => /migrating \d+/.test(l)).length;
    expect(prints).toBe(made + (N - used));
  }, 120_000);
});

function logOf(root: string): string[] {
  return readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8").split("\n");
}

describe("codeChanges tried ahead, through the CLI, idle processes", () => {
  it("a dry run and a failed record try nothing that stays; the upgrade and the downgrade use a try for every process, each codeChange printing once", async () => {
    const n = 300;
    const root = tempRoot();
    const env = { env: { RELX_LOCK_WAIT_MS: "100" } };
    writeTickers(root, "1.0.0", false, "", n, false);
    await ok(root, ["build"]);
    expect((await relx(root, ["start"], env)).code).toBe(0);
    writeTickers(root, "2.0.0", true, "", n, false);
    await ok(root, ["build"]);
    const count = (re: RegExp) => logOf(root).filter((l) => re.test(l)).length;
    const states = async () => (await relxJson(root, ["state", "--all"])).json;
    const before = await states();

    const dry = await relxJson(root, ["upgrade", "2.0.0", "--dry-run"]);
    expect(dry.code, JSON.stringify(dry.json).slice(0, 500)).toBe(0);
    expect(count(/migrating \d+/)).toBe(n);
    expect(await states()).toEqual(before);

    writeFileSync(join(root, "releases", "RELEASES.lock"), String(process.pid));
    const blocked = await relxJson(root, ["upgrade", "2.0.0"]);
    rmSync(join(root, "releases", "RELEASES.lock"));
    expect(blocked.code).toBe(1);
    expect(blocked.json).toMatchObject({ ok: false, rolledBack: false });
    expect(await states()).toEqual(before);
    const afterBlocked = count(/migrating \d+/);

    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.code, JSON.stringify(up.json).slice(0, 500)).toBe(0);
    expect(count(/migrating \d+/) - afterBlocked).toBe(n);
    expect(logOf(root).find((l) => l.includes("upgrade 1.0.0 -> 2.0.0:"))).toContain(`tried ahead for ${n}`);
    const s0 = (await relxJson(root, ["call", "t0", '"get"'])).json;
    expect(s0).toMatchObject({ id: 0, v: 2, at: 0 });

    const down = await relxJson(root, ["downgrade", "1.0.0"]);
    expect(down.code, JSON.stringify(down.json).slice(0, 500)).toBe(0);
    expect(count(/demigrating \d+/)).toBe(n);
    expect(logOf(root).find((l) => l.includes("downgrade 2.0.0 -> 1.0.0:"))).toContain(`tried ahead for ${n}`);
    expect(await states()).toEqual(before);
  }, 120_000);
});

function writeKeeper(root: string, version: string, v2: boolean, failId = -1, vsn = v2 ? 2 : 1): void {
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "keeper", version, type: "module" }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: Array.from({ length: 200 }, (_, i) => ({ name: "k" + i, server: "K", args: { id: i } })) });
`,
    "src/k.ts": `import { defineServer } from "relx";
export default defineServer({
  name: "K", vsn: "${vsn}",
  init: (args: any) => ({ id: args.id, n: 0 }),
  handleCast: (_m: unknown, s: any) => ({ ...s, n: s.n + 1 }),
  handleInfo: (m: any, s: any) => (m === "inc" ? { ...s, n: s.n + 1 } : s),
  handleCall(m: any, _f: unknown, s: any) {
    if (m === "poke") { s.ctx.send(s.ctx.self, "inc"); return { reply: "poked", state: s }; }
    return { reply: { id: s.id, n: s.n, v: ${v2 ? 2 : 1}, kept: s.ctx !== undefined, vsn: "${vsn}" }, state: s };
  },
  ${v2 ? `codeChange(old: unknown, s: any, _extra: unknown, ctx) {
    if (s.id === ${failId}) throw new Error("k${failId} will not migrate");
    return typeof old === "string" ? { ...s, ctx } : { id: s.id, n: s.n };
  },` : ""}
});
`,
  });
}

describe("codeChanges tried ahead, through the CLI: failures and a kept ctx", () => {
  it("one that throws for one process rolls every process back, then a fixed release upgrades, a kept ctx working after it", async () => {
    const root = tempRoot();
    writeKeeper(root, "1.0.0", false);
    await ok(root, ["build"]);
    await ok(root, ["start"]);
    await ok(root, ["cast", "k5", "1"]);
    writeKeeper(root, "2.0.0", true, 150);
    await ok(root, ["build"]);
    const bad = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(bad.code).toBe(1);
    expect(bad.json).toMatchObject({ ok: false, rolledBack: true, error: { code: "RELX_CODE_CHANGE_FAILED", process: "k150" } });
    for (const k of [0, 5, 149, 150, 199]) expect((await relxJson(root, ["call", `k${k}`, '"get"'])).json).toEqual({ id: k, n: k === 5 ? 1 : 0, v: 1, kept: false, vsn: "1" });
    writeKeeper(root, "2.0.1", true, -1, 3);
    await ok(root, ["build"]);
    const up = await relxJson(root, ["upgrade", "2.0.1"]);
    expect(up.code, JSON.stringify(up.json).slice(0, 500)).toBe(0);
    expect(logOf(root).find((l) => l.includes("upgrade 1.0.0 -> 2.0.1:"))).toContain("tried ahead for 200");
    expect((await relxJson(root, ["call", "k5", '"poke"'])).json).toBe("poked");
    expect((await relxJson(root, ["call", "k5", '"get"'])).json).toEqual({ id: 5, n: 2, v: 2, kept: true, vsn: "3" });
    const down = await relxJson(root, ["downgrade", "1.0.0"]);
    expect(down.code, JSON.stringify(down.json).slice(0, 500)).toBe(0);
    expect((await relxJson(root, ["call", "k5", '"get"'])).json).toEqual({ id: 5, n: 2, v: 1, kept: false, vsn: "1" });
  }, 120_000);
});

function writeSelfSender(root: string, version: string, v2: boolean): void {
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "selfsend", version, type: "module" }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: Array.from({ length: 20 }, (_, i) => ({ name: "s" + i, server: "S", args: null })) });
`,
    "src/s.ts": `import { defineServer, send } from "relx";
export default defineServer({
  name: "S", vsn: "${v2 ? 2 : 1}",
  init: () => ({ n: 0, v: ${v2 ? 2 : 1} }),
  handleInfo: (m: any, s: any) => (m === "inc" ? { ...s, n: s.n + 1, by: ${v2 ? 2 : 1} } : s),
  handleCall: (_m: unknown, _f: unknown, s: any) => ({ reply: s, state: s }),
  ${v2 ? `codeChange(_old: unknown, s: any, _extra: unknown, ctx) { send(ctx.self, "inc"); return { ...s, v: 2 }; },` : ""}
});
`,
  });
}

describe("codeChanges tried ahead, through the CLI: a codeChange that sends to its own process through the API", () => {
  it("has its message handled once, by the new code, as without the tries", async () => {
    const root = tempRoot();
    writeSelfSender(root, "1.0.0", false);
    await ok(root, ["build"]);
    await ok(root, ["start"]);
    writeSelfSender(root, "2.0.0", true);
    await ok(root, ["build"]);
    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.code, JSON.stringify(up.json).slice(0, 500)).toBe(0);
    // Before the fix each process got it twice: from its try (handled by the old code) and from the pass.
    for (const k of [0, 7, 19]) expect((await relxJson(root, ["call", `s${k}`, '"get"'])).json).toEqual({ n: 1, v: 2, by: 2 });
  }, 60_000);
});
