// Hostile dry runs: a codeChange that outlives the dry run, captures its ctx, calls itself, owns
// odd values or a live process's resource. The dry run must leave the live node as it was.
import { createConnection } from "node:net";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { relx, relxJson, startedWithV2Built } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

const connects = (path: string): Promise<boolean> => new Promise((done) => {
  const s = createConnection(path);
  s.once("connect", () => (s.destroy(), done(true)));
  s.once("error", () => done(false));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("hostile dry runs", () => {
  it("a codeChange that outlives the dry run, keeps its ctx, calls itself, owns odd values: the live node is as it was", async () => {
    const root = tempRoot();
    const common = `
  handleCall(msg, _from, state) { return { reply: state, state }; },
  handleCast(msg, state) { return { ...state, pokes: state.pokes + 1 }; },
  handleInfo(msg, state) { return { ...state, pokes: state.pokes + 1 }; },`;
    const write = (version: string, v2: boolean) => writeFiles(root, {
      "package.json": JSON.stringify({ name: "ho", version, type: "module" }),
      "relx.config.json": JSON.stringify({ codeChangeTimeoutMs: 200 }),
      "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [
  { name: "late", server: "Late", args: null },
  { name: "selfie", server: "Selfie", args: null },
  { name: "odd", server: "Odd", args: null },
  { name: "keeper", server: "Keeper", args: null },
  { name: "cfg", server: "Cfg", args: null },
] });
`,
      "src/cfg.ts": `import { defineServer } from "relx";
export default defineServer({ name: "Cfg", vsn: "1", init: () => ({ limit: 7 }), handleCall: (_msg, _from, state) => ({ reply: state.limit, state }) });
`,
      "src/late.ts": `import { defineServer } from "relx";
const W = defineServer({ name: "W", init: () => ({}) });
export default defineServer({
  name: "Late", vsn: "${v2 ? "2" : "1"}", init: () => ({ n: 1, pokes: 0 }),${common}
  ${v2 ? `async codeChange(oldVsn, state, _extra, ctx) {
    await new Promise((r) => setTimeout(r, 400));
    ctx.send(ctx.self, "poke"); ctx.cast(ctx.self, "poke"); ctx.sendAfter(0, "poke"); ctx.bind("poke")();
    ctx.monitor("nobody"); ctx.demonitor(1);
    void ctx.spawn(W, null, { name: "w-late" });
    void ctx.call("nobody", "x");
    setTimeout(() => { throw new Error("late timer boom"); }, 0);
    Promise.reject(new Error("late rejection"));
    ctx.stop("late stop");
    throw new Error("late throw");
  },` : ""}
});
`,
      "src/selfie.ts": `import { defineServer } from "relx";
export default defineServer({
  name: "Selfie", vsn: "${v2 ? "2" : "1"}", init: () => ({ n: 1, pokes: 0 }),${common}
  ${v2 ? `async codeChange(oldVsn, state, _extra, ctx) {
    // Each call waits for a suspended process until its own timeout: 150 ms twice, past the
    // codeChange's 200 ms, however late the timers fire.
    const me = await ctx.call(ctx.self, "get", 150).catch((e) => e.code);
    const other = await ctx.call("late", "get", 150).catch((e) => e.code);
    return { ...state, me, other };
  },` : ""}
});
`,
      "src/odd.ts": `import { defineServer } from "relx";
export default defineServer({
  name: "Odd", vsn: "${v2 ? "2" : "1"}", init: () => ({ n: 1, pokes: 0 }),${common}
  ${v2 ? `codeChange(oldVsn, state, _extra, ctx) {
    const hostile = new Proxy({}, { get() { throw new Error("trap"); }, has() { throw new Error("trap"); }, getPrototypeOf() { throw new Error("trap"); } });
    const tries = [1, "s", Symbol("s"), undefined, null, () => 1, Object.create(null), hostile,
      { close() { throw new Error("close boom"); } },
      { close() { return Promise.reject(new Error("async close boom")); } },
      { close() { setTimeout(() => { throw new Error("close timer boom"); }, 0); } },
      { on() { throw new Error("on boom"); }, listenerCount() { return 0; } },
      { on: () => 1, get listenerCount() { throw new Error("lc boom"); } },
      ctx];
    let threw = 0;
    for (const t of tries) { try { ctx.own(t); } catch { threw++; } }
    return { ...state, threw };
  },` : ""}
});
`,
      "src/keeper.ts": `import { defineServer } from "relx";
const W = defineServer({ name: "W", init: () => ({}) });
export default defineServer({
  name: "Keeper", vsn: "${v2 ? "2" : "1"}", init: () => ({ n: 1, pokes: 0 }),${common}
  ${v2 ? `codeChange(oldVsn, state, _extra, ctx) {
    for (const ms of [0, 50, 300, 600]) setTimeout(async () => {
      ctx.send(ctx.self, "poke"); ctx.cast("keeper", "poke"); ctx.own({ close() {} });
      void ctx.spawn(W, null);
      await ctx.call("cfg", "limit");
      await ctx.call(ctx.self, "get", 50);
    }, ms);
    return state;
  },` : ""}
});
`,
    });
    await startedWithV2Built(root, write);
    const before = (await relxJson(root, ["status"])).json.processes.map((p: any) => ({ name: p.name, pid: p.pid, vsn: p.vsn }));

    const dry = await relxJson(root, ["upgrade", "2.0.0", "--dry-run"]);
    expect(dry.json.results.map((r: any) => [r.name, r.ok])).toEqual([["late", false], ["selfie", false], ["odd", true], ["keeper", true]]);
    await sleep(1200);
    const status = (await relxJson(root, ["status"])).json;
    expect(status.processes.map((p: any) => ({ name: p.name, pid: p.pid, vsn: p.vsn }))).toEqual(before);
    for (const p of status.processes) expect(p).toMatchObject({ status: "running", restarts: 0 });
    for (const name of ["late", "selfie", "odd", "keeper"]) {
      expect((await relxJson(root, ["call", name, '"get"'])).json, name).toEqual({ n: 1, pokes: 0 });
    }
  }, 60_000);

  it("one that owns a handle of the live node (a server its state holds, owned by init or not) leaves it open", async () => {
    const root = tempRoot();
    const sock = (name: string) => join(root, `${name}.sock`);
    const server = (name: string, v2: boolean, owned: boolean) => `import net from "node:net";
import { defineServer } from "relx";
export default defineServer({
  name: "${name}", vsn: "${v2 ? "2" : "1"}",
  init: (_args, ctx) => {
    const server = ${owned ? "ctx.own(" : "("}net.createServer((s) => s.end()));
    server.listen(${JSON.stringify(sock(name))});
    return { servers: [server], wrapped: { close: () => server.close() } };
  },
  handleCall(_msg, _from, state) { return { reply: state.servers[0].listening, state }; },
  ${v2 ? `codeChange(oldVsn, state, _extra, ctx) {
    // v2 has its process own what v1 only kept (the server, or a plain object that closes it)...
    ctx.own(state.servers[0]);
    ctx.own(state.wrapped);
    // ...and opens one of its own, which the dry run closes.
    const fresh = ctx.own(net.createServer());
    fresh.listen(${JSON.stringify(sock(`${name}-fresh`))});
    return state;
  },` : ""}
});
`;
    const write = (version: string, v2: boolean) => writeFiles(root, {
      "package.json": JSON.stringify({ name: "lr", version, type: "module" }),
      "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [{ name: "owned", server: "Owned", args: null }, { name: "kept", server: "Kept", args: null }] });
`,
      "src/owned.ts": server("Owned", v2, true),
      "src/kept.ts": server("Kept", v2, false),
    });
    await startedWithV2Built(root, write, () => waitFor(async () => (await connects(sock("Owned"))) && connects(sock("Kept")), "both to listen"));

    const dry = await relxJson(root, ["upgrade", "2.0.0", "--dry-run"]);
    expect(dry.json.results).toMatchObject([{ name: "owned", ok: true }, { name: "kept", ok: true }]);
    await sleep(300);
    // The dry run closed the live servers, as what its codeChange had owned.
    for (const name of ["owned", "kept"]) expect((await relxJson(root, ["call", name, '"listening"'])).json, name).toBe(true);
    expect(await connects(sock("Owned"))).toBe(true);
    expect(await connects(sock("Kept"))).toBe(true);
    await waitFor(async () => !(await connects(sock("Owned-fresh"))) && !(await connects(sock("Kept-fresh"))), "the dry run's own servers to be closed");

    // The real upgrade has the process own it: still open, and closed when the process stops.
    expect((await relxJson(root, ["upgrade", "2.0.0"])).code).toBe(0);
    expect(await connects(sock("Kept"))).toBe(true);
  }, 60_000);
});

describe("the real upgrade after a dry run", () => {
  it("a stray error of its codeChange's timer is still the process's own: it crashes and is restarted (the dry run's were logged as whose they were)", async () => {
    const root = tempRoot();
    const server = (name: string, v2: boolean, async: boolean) => `import { defineServer } from "relx";
export default defineServer({
  name: "${name}", vsn: "${v2 ? "2" : "1"}", init: () => ({ n: 1 }),
  handleCall(_msg, _from, state) { return { reply: state, state }; },
  ${v2 ? `${async ? "async " : ""}codeChange(oldVsn, state) {
    ${async ? "await null;" : ""}
    setTimeout(() => { throw new Error("${name} stray"); }, 100);
    return { ...state, v2: true };
  },` : ""}
});
`;
    const write = (version: string, v2: boolean) => writeFiles(root, {
      "package.json": JSON.stringify({ name: "ra", version, type: "module" }),
      "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [{ name: "sy", server: "Sy", args: null }, { name: "as", server: "As", args: null }] });
`,
      "src/sy.ts": server("Sy", v2, false),
      "src/as.ts": server("As", v2, true),
    });
    await startedWithV2Built(root, write);
    expect((await relxJson(root, ["upgrade", "2.0.0", "--dry-run"])).json.ok).toBe(true);
    await sleep(300);
    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.code, JSON.stringify(up.json)).toBe(0);
    const log = join(root, ".relx", "log", "daemon.log");
    // The real upgrade's timers are the processes' own: each crashes it, and it is restarted.
    await waitFor(async () => (await relxJson(root, ["status"])).json.processes.every((p: any) => p.restarts === 1 && p.status === "running"), "both restarted");
    const text = readFileSync(log, "utf8");
    expect(text).toContain('crash: Sy "sy" in a callback it registered: Error: Sy stray');
    expect(text).toContain('crash: As "as" in a callback it registered: Error: As stray');
    // The dry run's were logged, crashing nothing, and the log says whose they were.
    expect(text).toContain("uncaught exception, daemon carries on (from sy <0.1.0>'s codeChange in a dry run, which crashes nothing): Error: Sy stray");
    expect(text).toContain("uncaught exception, daemon carries on (from as <0.2.0>'s codeChange in a dry run, which crashes nothing): Error: As stray");
  }, 60_000);
});
