// Crash isolation and restart policies (SPEC §2): a crash takes down one process only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, cast, defineServer, setRuntimeObserver, start, sys, whereis, type RuntimeEvent } from "../../src/index.js";
import { flush } from "./servers.js";

const events: RuntimeEvent[] = [];
beforeAll(() => setRuntimeObserver((e) => events.push(e)));
afterAll(() => setRuntimeObserver(null));

let inits = 0;
const Fragile = defineServer<{ n: number; boot: number }>({
  name: "Fragile",
  init: (args: { n: number }) => ({ n: args.n, boot: ++inits }),
  handleCall(msg: string, _from, state) {
    if (msg === "boom") throw new Error("kaboom");
    if (msg === "malformed") return 42 as never;
    if (msg === "reject") return Promise.reject(new Error("async kaboom")) as never;
    return { reply: state, state: { ...state, n: state.n + 1 } };
  },
  handleCast(msg: string, state) {
    if (msg === "boom") throw new Error("cast kaboom");
    return state;
  },
});

describe("a crashing callback", () => {
  it("fails the caller, restarts the process with a fresh init from its start args, keeps the pid", async () => {
    const pid = await start(Fragile, { n: 10 });
    await call(pid, "inc");
    await expect(call(pid, "boom")).rejects.toMatchObject({ code: "RELX_CALLBACK_FAILED", message: expect.stringContaining("kaboom") });
    const state = (await call(pid, "inc")) as { n: number; boot: number };
    expect(state.n).toBe(10);
    expect((await sys.getStatus(pid)).restarts).toBe(1);
    expect(events.some((e) => e.type === "crash" && e.process.pid.id === pid.id)).toBe(true);
  });

  it("treats a malformed result and a rejected promise as crashes", async () => {
    const pid = await start(Fragile, { n: 0 });
    await expect(call(pid, "malformed")).rejects.toMatchObject({ code: "RELX_CALLBACK_FAILED", message: expect.stringContaining("malformed") });
    await expect(call(pid, "reject")).rejects.toMatchObject({ message: expect.stringContaining("async kaboom") });
    expect(await call(pid, "inc")).toMatchObject({ n: 0 });
  });

  it("leaves other processes untouched", async () => {
    const a = await start(Fragile, { n: 1 });
    const b = await start(Fragile, { n: 100 });
    await call(b, "inc");
    await call(a, "boom").catch(() => {});
    expect(await call(b, "inc")).toMatchObject({ n: 101 });
  });

  it("gives up after more than 3 restarts in 5 s and reports it", async () => {
    const pid = await start(Fragile, { n: 0 }, { name: "fragile-giveup" });
    for (let i = 0; i < 4; i++) await call(pid, "boom").catch(() => {});
    expect(whereis("fragile-giveup")).toBeUndefined();
    await expect(call(pid, "inc")).rejects.toMatchObject({ code: "RELX_NO_SUCH_PROCESS" });
    expect(events.some((e) => e.type === "giveup" && e.process.pid.id === pid.id)).toBe(true);
  });
});

describe("restart policies", () => {
  it("temporary: a crash is the end", async () => {
    const pid = await start(Fragile, { n: 0 }, { restart: "temporary" });
    cast(pid, "boom");
    await flush();
    await expect(sys.getStatus(pid)).rejects.toMatchObject({ code: "RELX_NO_SUCH_PROCESS" });
  });

  it("transient: restarted after a crash, not after a normal stop", async () => {
    const Stopper = defineServer({
      name: "Stopper",
      init: () => 0,
      handleCall(msg: string, _f, n, ctx) {
        if (msg === "crash") throw new Error("bad");
        if (msg === "stop") ctx.stop("normal");
        return { reply: n, state: n + 1 };
      },
    });
    const pid = await start(Stopper, null, { restart: "transient" });
    await call(pid, "crash").catch(() => {});
    expect(await call(pid, "n")).toBe(0);
    expect(await call(pid, "stop")).toBe(1);
    await flush();
    await expect(call(pid, "n")).rejects.toMatchObject({ code: "RELX_NO_SUCH_PROCESS" });
  });

  it("a permanent process stopped by ctx.stop is started again", async () => {
    const Stopper = defineServer({
      name: "Stopper",
      init: () => "fresh",
      handleCall(msg: string, _f, s, ctx) {
        if (msg === "stop") ctx.stop("normal");
        return { reply: s, state: "used" };
      },
    });
    const pid = await start(Stopper, null);
    await call(pid, "stop");
    expect(await call(pid, "x")).toBe("fresh");
  });
});

describe("start", () => {
  it("fails with RELX_INIT_FAILED when init throws, leaving nothing registered", async () => {
    const Bad = defineServer({ name: "Bad", init: () => { throw new Error("no db"); } });
    await expect(start(Bad, null, { name: "bad-init" })).rejects.toMatchObject({ code: "RELX_INIT_FAILED", message: expect.stringContaining("no db") });
    expect(whereis("bad-init")).toBeUndefined();
  });

  it("refuses a name already registered", async () => {
    await start(Fragile, { n: 0 }, { name: "taken-name" });
    await expect(start(Fragile, { n: 0 }, { name: "taken-name" })).rejects.toMatchObject({ code: "RELX_NAME_TAKEN" });
  });
});
