// A dry run changes nothing (SPEC §7), and that includes what a codeChange does through its ctx:
// messages it sends go nowhere, a process it spawns is not started (its result fails with
// RELX_DRY_RUN), a call it makes is answered. The real upgrade with the same codeChange delivers
// and starts them. Real builds, a real daemon.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { relx, relxJson, startedWithV2Built } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

/** Fx counts the pokes it is sent; Sp's v2 codeChange asks Cfg (unchanged, so not suspended) for a value and spawns a worker. */
function writeApp(root: string, version: string, v2: boolean): void {
  const pokes = `
  handleCall(msg, _from, state) { return { reply: state, state }; },
  handleCast(msg, state) { return msg === "poke" ? { ...state, pokes: state.pokes + 1 } : state; },
  handleInfo(msg, state) { return msg === "poke" || msg?.tag === "poke" ? { ...state, pokes: state.pokes + 1 } : state; },`;
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "fx", version, type: "module" }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [
  { name: "fx", server: "Fx", args: null },
  { name: "sp", server: "Sp", args: null },
  { name: "cfg", server: "Cfg", args: null },
  { name: "st", server: "St", args: null },
] });
`,
    "src/fx.ts": `import { defineServer } from "relx";
export default defineServer({
  name: "Fx",
  vsn: "${v2 ? "2" : "1"}",
  init: () => ({ n: 1, pokes: 0 }),${pokes}
  ${v2 ? `codeChange(oldVsn, state, _extra, ctx) {
    ctx.send(ctx.self, "poke");
    ctx.cast(ctx.self, "poke");
    ctx.sendAfter(0, "poke");
    ctx.bind("poke")();
    return { ...state, n: state.n * 10 };
  },` : ""}
});
`,
    "src/cfg.ts": `import { defineServer } from "relx";
export default defineServer({ name: "Cfg", vsn: "1", init: () => ({ limit: 7 }), handleCall: (_msg, _from, state) => ({ reply: state.limit, state }) });
`,
    "src/st.ts": `import { defineServer } from "relx";
export default defineServer({
  name: "St",
  vsn: "${v2 ? "2" : "1"}",
  init: () => ({ n: 1 }),
  handleCall(_msg, _from, state) { return { reply: state, state }; },
  ${v2 ? `codeChange(oldVsn, state) {
    setTimeout(() => { throw new Error("a stray error of st's codeChange"); }, 0);
    Promise.reject(new Error("a rejection st's codeChange left unhandled"));
    return state;
  },` : ""}
});
`,
    "src/sp.ts": `import { defineServer } from "relx";
const Worker = defineServer({ name: "Worker", init: () => ({}) });
export default defineServer({
  name: "Sp",
  vsn: "${v2 ? "2" : "1"}",
  init: () => ({ seen: null }),
  handleCall(_msg, _from, state) { return { reply: state, state }; },
  ${v2 ? `async codeChange(oldVsn, state, _extra, ctx) {
    const limit = await ctx.call("cfg", "limit");
    const worker = await ctx.spawn(Worker, null, { name: "worker" });
    return { limit, worker: String(worker) };
  },` : ""}
});
`,
  });
}

/**
 * A one-process app: "a" of server A counts the casts it gets and answers a call with its state;
 * its v2 adds `codeChange` (the method's source), with `top` above the server (imports, helpers).
 */
function oneProcess(root: string, v2: { codeChange: string; top?: string; config?: object }): (version: string, isV2: boolean) => void {
  return (version, isV2) => writeFiles(root, {
    "package.json": JSON.stringify({ name: "one", version, type: "module" }),
    ...(v2.config === undefined ? {} : { "relx.config.json": JSON.stringify(v2.config) }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [{ name: "a", server: "A", args: null }] });
`,
    "src/a.ts": `import { defineServer } from "relx";
${v2.top ?? ""}
export default defineServer({
  name: "A",
  vsn: "${isV2 ? "2" : "1"}",
  init: () => ({ n: 0 }),
  handleCall(_msg, _from, state) { return { reply: state, state }; },
  handleCast(_msg, state) { return { n: state.n + 1 }; },
  ${isV2 ? v2.codeChange : ""}
});
`,
  });
}

async function castInc(root: string): Promise<void> {
  expect((await relx(root, ["cast", "a", '"inc"'])).code).toBe(0);
}

/** "a" has the state one cast gave it, and was never crashed nor restarted. */
async function expectAAsItWas(root: string): Promise<void> {
  expect((await relxJson(root, ["call", "a", '"get"'])).json).toEqual({ n: 1 });
  expect((await relxJson(root, ["status"])).json.processes).toMatchObject([{ name: "a", restarts: 0 }]);
}

const names = async (root: string): Promise<string[]> =>
  (await relxJson(root, ["status"])).json.processes.map((p: { name: string | null }) => p.name).sort();

describe("a dry run's codeChange", () => {
  it("sends nothing and spawns nothing; its call is answered; the real upgrade does all three", async () => {
    const root = tempRoot();
    await startedWithV2Built(root, (version, v2) => writeApp(root, version, v2));
    const before = await names(root);

    const dry = await relxJson(root, ["upgrade", "2.0.0", "--dry-run"]);
    expect(dry.code).toBe(1);
    const [fx, sp] = dry.json.results;
    expect(fx).toEqual({ name: "fx", server: "Fx", ok: true, state: { n: 10, pokes: 0 } });
    expect(sp).toMatchObject({ name: "sp", server: "Sp", ok: false, error: { code: "RELX_CODE_CHANGE_FAILED" } });
    // Its call to cfg was answered (the codeChange got as far as the spawn).
    expect(sp.error.message).toContain("ctx.spawn(Worker) was not run: a dry run starts no process");
    // A call is answered after every message sent before it: none of the four came.
    expect((await relxJson(root, ["call", "fx", '"get"'])).json).toEqual({ n: 1, pokes: 0 });
    expect(await names(root)).toEqual(before);
    // What st's codeChange left to go wrong later was the dry run's, not the live st's: it is not
    // crashed (nor restarted) for it. The call comes after the timer it set has fired.
    expect((await relxJson(root, ["call", "st", '"get"'])).json).toEqual({ n: 1 });
    const st = (await relxJson(root, ["status"])).json.processes.find((p: { name: string }) => p.name === "st");
    expect(st).toMatchObject({ status: "running", restarts: 0 });

    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.code, JSON.stringify(up.json)).toBe(0);
    await waitFor(async () => (await relxJson(root, ["call", "fx", '"get"'])).json.pokes === 4, "fx to get its four pokes");
    expect((await relxJson(root, ["call", "fx", '"get"'])).json).toEqual({ n: 10, pokes: 4 });
    expect((await relxJson(root, ["call", "sp", '"get"'])).json).toMatchObject({ limit: 7, worker: expect.stringMatching(/^<0\.\d+\.0>$/) });
    expect(await names(root)).toEqual([...before, "worker"].sort());
  });

  it("a spawn it does not wait for leaves the live process as it was (not crashed by the refused spawn)", async () => {
    const root = tempRoot();
    await startedWithV2Built(root, oneProcess(root, {
      top: `const W = defineServer({ name: "W", init: () => ({}) });`,
      codeChange: `codeChange(oldVsn, state, _extra, ctx) {
    void ctx.spawn(W, null);
    return { ...state, v2: true };
  },`,
    }), () => castInc(root));

    const dry = await relxJson(root, ["upgrade", "2.0.0", "--dry-run"]);
    expect(dry.json.results[0]).toMatchObject({ name: "a", ok: true, state: { n: 1, v2: true } });
    // The refused spawn's rejection, unhandled, was taken for a's own and crashed it (its state lost).
    await expectAAsItWas(root);
    expect((await relxJson(root, ["status"])).json.processes).toMatchObject([{ vsn: "1" }]);
  });

  it("what it owns after the dry run gave up on it (past codeChangeTimeoutMs) is closed too", async () => {
    const root = tempRoot();
    const marker = join(root, "closed");
    await startedWithV2Built(root, oneProcess(root, {
      config: { codeChangeTimeoutMs: 200 },
      top: `import { writeFileSync } from "node:fs";`,
      codeChange: `async codeChange(oldVsn, state, _extra, ctx) {
    await new Promise((resolve) => setTimeout(resolve, 600));
    ctx.own({ close() { writeFileSync(${JSON.stringify(marker)}, "closed"); } });
    return state;
  },`,
    }));

    const dry = await relxJson(root, ["upgrade", "2.0.0", "--dry-run"]);
    expect(dry.json.results[0]).toMatchObject({ name: "a", ok: false, error: { code: "RELX_CODE_CHANGE_FAILED" } });
    // No process keeps what a dry run's codeChange owned, however late it owns it.
    await waitFor(() => existsSync(marker), "the late-owned resource to be closed", { giveUpMs: 10_000 });
  });

  it("an error event of what it owns (a socket that fails to connect) leaves the live process as it was", async () => {
    const root = tempRoot();
    await startedWithV2Built(root, oneProcess(root, {
      top: `import net from "node:net";`,
      codeChange: `async codeChange(oldVsn, state, _extra, ctx) {
    const socket = ctx.own(net.connect(${JSON.stringify(join(root, "nothing-here.sock"))}));
    // Settles once the socket has failed, so its error event comes while the dry run still owns it.
    await new Promise((resolve) => socket.once("close", resolve));
    return { ...state, v2: true };
  },`,
    }), () => castInc(root));

    const dry = await relxJson(root, ["upgrade", "2.0.0", "--dry-run"]);
    expect(dry.json.results[0]).toMatchObject({ name: "a", ok: true, state: { n: 1, v2: true } });
    // The error, with no listener of the codeChange's, was taken for a's own and crashed it (its state lost).
    await expectAAsItWas(root);
  });
});
